"""The discovery engine: log parsers, catalogue matching, the chunk pipeline and LLMjacking rules.

Plain Python with no Django imports (tests/discovery/test_engine_isolation.py checks it), so it
runs in a worker, a benchmark or a notebook alike. Settings reach it as arguments from
discovery/conf.py; results go back to the Django side (discovery/services/) to be stored.
"""
