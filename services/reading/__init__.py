"""Reading an untrusted list file outside the store: sniffed, checked, and read in a limited worker.

`services.reading.parsing` is the entry; `identity` says who a row is about.
"""
