"""The colours every chart uses for the two sides of a pair: base blue, aligned red, on every page
(random numbers, games, poetry, Results), so a colour means the same side wherever it appears."""

BASE = "#4C78A8"
ALIGNED = "#E45756"
SIDE_COLOURS = {"base": BASE, "aligned": ALIGNED}
