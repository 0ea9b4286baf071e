"""`crm-conformance proxy`: forward a client's traffic to an implementation of the API unchanged, and judge
every exchange with the suite's response checks (the server's violations) and the document's request rules
(the client's own mistakes, reported apart).

    redact.py        credentials out of everything the proxy keeps or shows
    client_rules.py  the client's request against the document (party "client")
    watch.py         the live judgement: response checks on each exchange, counts, the report of the traffic
    wire.py          HTTP between client and upstream: hop-by-hop headers, X-Crm-Violations, problem+json
    forward.py       the WSGI application: forward, stream, judge, answer; the live view under /__proxy/
    serve.py         gunicorn (one gthread worker, so the live report lives in one process) and the reports on exit
"""
