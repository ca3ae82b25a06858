"""Pure Plotly builders: DataFrame in, go.Figure out; axis titles with units and hover details, no streamlit."""
