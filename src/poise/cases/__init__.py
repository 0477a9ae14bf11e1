"""Notices (DSA Art. 16), trusted flaggers (Art. 22), review, statements of reasons (Art. 17), appeals
(Art. 20) and misuse (Art. 23)."""
