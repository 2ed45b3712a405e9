"""What shows a history's verdict: the terminal drawing (operations as bars on per-process lines),
the report `check history` prints (with the smallest set of operations that cannot be ordered),
and the HTML page with its SVG drawing."""
