"""Market intelligence on sales rows (no Django): attribute trends against their own seasonal
baseline with small-group suppression (`trends`), forecasts per category × channel with a
rolling-origin backtest against seasonal naive (`forecasting`), and seeded data with planted
structure to score both (`synthetic`). Inputs are polars frames; outputs polars frames and
dataclasses, so the Django app calls them with what it read from its tables."""
