"""Start Streamlit with its machine-address lookups switched off (``python -m ui.serve run ui/app.py ...``).

Streamlit learns "this machine's addresses" in two ways that reach the network: ``get_external_ip`` asks
checkip.amazonaws.com over HTTP(S), and ``get_internal_ip`` connects a UDP socket to 8.8.8.8 to learn the
LAN address. Our config (``server.address = 127.0.0.1``) skips both when the server starts, but the
WebSocket origin check still calls them for any *cross-origin* connection attempt, and any web page the
person has open can make one. No setting turns that fallback off (``browser.serverAddress`` and
``server.corsAllowedOrigins`` are only compared after the lookups), so this wrapper replaces both
functions before the server starts: the app only ever serves 127.0.0.1, so the answer is known without
asking anyone. Cross-origin connections stay refused exactly as before (their host is not 127.0.0.1).

``sanctuary ui`` runs the app through this module; ``ui/app.py`` calls ``no_address_lookups()`` too, so
``streamlit run ui/app.py`` is covered from the first page load on.
"""

from __future__ import annotations

import sys

LOOPBACK = "127.0.0.1"


def _loopback() -> str:
    return LOOPBACK


def _no_external_address() -> None:
    return None


def no_address_lookups() -> None:
    """Make Streamlit's address lookups answer locally (idempotent; import-time cost only)."""
    from streamlit import net_util

    net_util.get_internal_ip = _loopback
    net_util.get_external_ip = _no_external_address


def main(argv: list[str] | None = None) -> int:
    """Run Streamlit's own command line (``streamlit run ...``) with the lookups switched off."""
    no_address_lookups()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    try:
        streamlit_main(prog_name="streamlit")
    except SystemExit as exc:  # click ends with SystemExit; pass its code on
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
