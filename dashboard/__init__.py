"""The Streamlit dashboard: router (streamlit_app.py) -> pages (app_pages/) -> metrics -> db; charts are pure Plotly."""
