"""Entry point of the dashboard (`streamlit run app.py`): the navigation, with each page's title.

st.navigation instead of Streamlit's automatic pages/ discovery, so the home page is called "Home"
in the sidebar rather than after this file. The pages themselves are the files in pages/.
"""

import streamlit as st

PAGES = [
    st.Page("pages/0_Home.py", title="Home", default=True),
    st.Page("pages/1_Random_Numbers.py", title="Random Numbers"),
    st.Page("pages/2_Rock_Paper_Scissors.py", title="Rock Paper Scissors"),
    st.Page("pages/3_Hide_and_Seek.py", title="Hide and Seek"),
    st.Page("pages/7_RPS_Tournament.py", title="RPS Tournament"),
    st.Page("pages/4_Poetry.py", title="Poetry"),
    st.Page("pages/10_IFEval.py", title="IFEval"),
    st.Page("pages/8_IFBench.py", title="IFBench"),
    st.Page("pages/5_Results.py", title="Results"),
    st.Page(
        "pages/6_Benchmark_vs_Unpredictability.py",
        title="Benchmark vs Unpredictability",
    ),
    st.Page("pages/9_Alignment_Dial.py", title="Alignment Dial"),
    st.Page("pages/11_Alignment_Ladder.py", title="Alignment Ladder"),
]

st.navigation(PAGES).run()
