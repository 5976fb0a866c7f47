"""Streamlit pages. Each page reads widgets, calls domain functions and draws; no domain logic lives here."""
