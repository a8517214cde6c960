# The project's commands; the README says what each does.
.PHONY: test demo bench stop clean env lint cluster cluster-stop

test:
	@bash scripts/test.sh

demo:
	@bash scripts/demo.sh

bench:
	@bash scripts/bench.sh

env:
	@bash -c 'source scripts/common.sh && find_odoo && echo "$$ODOO_PY (Odoo in $$ODOO_ROOT)"'

lint:
	@bash scripts/lint.sh

stop:
	@bash -c 'source scripts/common.sh && pg_stop'

clean: stop
	@bash -c 'source scripts/common.sh && rm -rf "$$PG_DIR"'
	rm -rf .pg .run

cluster:
	@bash scripts/cluster.sh start

cluster-stop:
	@bash scripts/cluster.sh stop
