"""Networks of ties: an entity's neighbourhood (`neighbourhood.py`), the whole picture of
Malaysian against Chinese bodies (`overview.py`), their JSON (`views.py`), exports made with
networkx (`exports.py`) and the routes serving them (`routes.py`)."""
