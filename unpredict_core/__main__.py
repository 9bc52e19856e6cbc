import sys

from unpredict_core.cli import main

sys.exit(main())
