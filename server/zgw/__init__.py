"""Hand-off to a case system over the ZGW APIs (Zaken 1.5.1, Documenten 1.4.2, Catalogi 1.3.1).

A team lead asks for a zaak (routes.py); the request is stored with the signals' status
"doorgezet" in one transaction (outbox.py); a worker thread (worker.py) sends it in
resumable, idempotent steps (handoff.py) through the client (client.py, token.py), and a
poller (progress.py, notifications.py) follows the zaak until its eindstatus closes the
signal. The configuration and the choice of zaaktype are config.py; what is sent is payload.py.
"""
