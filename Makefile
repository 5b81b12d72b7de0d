# The two commands of the README: `make run` and `make test`.
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift

.PHONY: deps build run test bench clean-db

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

## Builds, applies migrations and Tenants/, seeds the demo and serves it on http://localhost:8080
run: build
	RDV_ENV=development .build/debug/rdv serve --demo

## Runs every test suite against a throwaway PostgreSQL cluster
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Benchmarks (release build): provisioning 101 départements, no-op migration, gateway overhead, slot engine, slot page (with the plans of busy times, week agenda, usager search), message delivery, export and import of a département, consortium statistics (full and incremental refresh, statistics home), the API (RDV page, creations per second), the export of 200,000 RDVs and the import of a 5,000-line usagers file
bench:
	@scripts/install-deps --bench
	$(SWIFT) build -c release --product rdv
	$(SWIFT) build -c release --product SlotBenchmark
	scripts/bench
	.build/release/SlotBenchmark
	scripts/bench-slots
	scripts/bench-delivery
	scripts/bench-archive
	scripts/bench-stats
	scripts/bench-api
	scripts/bench-import

## Stops and deletes the local embedded database (.rdv/)
clean-db:
	-@bin=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); \
	  if [ "$$(id -u)" -eq 0 ]; then runuser -u postgres -- $$bin/pg_ctl stop -D $(CURDIR)/.rdv/postgres -m fast; \
	  else $$bin/pg_ctl stop -D .rdv/postgres -m fast; fi
	rm -rf .rdv
