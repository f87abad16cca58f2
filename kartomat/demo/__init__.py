"""`make demo`: the whole pipeline on embedded defaults, with simulated respondents."""
