"""The tables of notebook 13 as a learner reads them: output lines as lines, a blank where there is no value, and
"no rows" said in words. pandas is imported on first use, so that importing the course's helpers stays quick."""
import functools

CELL_STYLE = [{"selector": "td", "props": "white-space: pre-wrap; text-align: left; vertical-align: top"},
              {"selector": "th", "props": "text-align: left"}]


def missing(value):
    """True for None, NaN and pandas' <NA>."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and value != value  # NaN is the one value not equal to itself


def shown_value(value):
    """A value as a table shows it: text without its last line break, nothing for a missing value."""
    return "" if missing(value) else value.rstrip("\n") if isinstance(value, str) else value


@functools.cache
def table_class():
    """HostTable, a pandas DataFrame of per-host results that displays itself for a learner."""
    import pandas as pd

    class HostTable(pd.DataFrame):
        """A DataFrame of per-host results: each output's lines as lines, a missing value blank, no rows in words."""

        @property
        def _constructor(self):
            return HostTable

        def shown(self):
            """A plain DataFrame of the values as displayed."""
            return pd.DataFrame(self.astype(object).map(shown_value))

        def empty_text(self):
            return f"no rows (columns: {', '.join(map(str, self.columns))})"

        def __repr__(self):
            if self.empty:
                return self.empty_text()
            return self.shown().to_string(index=False).replace("\\n", " / ")  # a line break inside a value

        def _repr_html_(self):
            if self.empty:
                return f"<p><i>{self.empty_text()}</i></p>"
            styler = self.shown().style.format(escape="html").hide(axis="index")
            return styler.set_table_styles(CELL_STYLE).to_html()

    return HostTable


def host_table(rows, columns, types=None):
    """rows (dicts) as a HostTable with these columns, cast to types ({column: dtype}) if given."""
    table = table_class()(rows, columns=columns)
    return table.astype(types) if types else table
