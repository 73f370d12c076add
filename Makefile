# arcollect: PGXS build.  `make && make install`, then `make installcheck`
# (pg_regress) and `make prove` (pgTAP) against a running server; the
# scripts/ folder wraps all of this for a fresh machine.

EXTENSION = arcollect
EXTVERSION = 0.1.0

MODULE_big = arcollect
OBJS = \
	src/exact_sum.o \
	src/aggregate.o \
	src/aging.o \
	src/payment_index.o \
	src/cei.o \
	src/payment_delay.o \
	src/dso.o \
	src/dso_countback.o \
	src/risk_score.o \
	src/currency.o \
	src/time_zone.o \
	src/ledger_trigger.o \
	src/ledger_fastpath.o

# Install script sources, in the order they are concatenated.
INSTALL_SOURCES = \
	sql/install/aging.sql \
	sql/install/payment_index.sql \
	sql/install/cei.sql \
	sql/install/payment_delay.sql \
	sql/install/dso.sql \
	sql/install/dso_countback.sql \
	sql/install/risk_score.sql \
	sql/install/ledger_tables.sql \
	sql/install/customer.sql \
	sql/install/quarantine.sql \
	sql/install/ledger_sync.sql \
	sql/install/attach.sql \
	sql/install/ledger_ddl.sql \
	sql/install/open_items.sql \
	sql/install/reconcile.sql \
	sql/install/ledger_grants.sql

DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard sql/$(EXTENSION)--*--*.sql)

# pg_regress: inputs are sql/<topic>.sql, expected output expected/<topic>.out
REGRESS = scalar aging payment_delay dso cei risk_score ibm_sample \
	ledger_attach ledger_quarantine ledger_history ledger_injection ledger_types ledger_partitions
REGRESS_OPTS = --load-extension=$(EXTENSION)

# -Wextra as pgvector does; PostgreSQL's own headers (utils/array.h) trip
# -Wsign-compare and its fmgr macros -Wunused-parameter, so those two are off.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_SOURCES)
	( printf '%s\n' '-- generated from sql/install/ by the Makefile: do not edit' \
	    '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  cat $^ ) > $@

# pgTAP suites in test/, run with pg_prove against the current PG* server.
.PHONY: prove bench
prove:
	pg_prove --ext .sql --failures test/

bench:
	bash bench/run.sh
