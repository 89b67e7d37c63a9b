"""Entry point of `streamlit run` (started by `python -m dashboard`): the two pages and their navigation."""

from __future__ import annotations

import streamlit as st

from dashboard import business, operations


def main() -> None:
    st.set_page_config(page_title="SiCooperative", layout="wide")
    page = st.navigation(
        [
            st.Page(business.render, title="Business", url_path="business", default=True),
            st.Page(operations.render, title="Operations", url_path="operations"),
        ]
    )
    page.run()


main()
