# arcollect: PGXS build.  `make && make install`, then `make installcheck`
# (pg_regress) and `make prove` (pgTAP) against a running server; the
# scripts/ folder wraps all of this for a fresh machine.

EXTENSION = arcollect
# The version lives in the control file only.
EXTVERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = arcollect
OBJS = \
	src/exact_sum.o \
	src/aggregate.o \
	src/aggregate_state.o \
	src/aging.o \
	src/payment_index.o \
	src/cei.o \
	src/payment_delay.o \
	src/dso.o \
	src/dso_countback.o \
	src/risk_score.o \
	src/risk_behaviour.o \
	src/currency.o \
	src/time_zone.o \
	src/ledger_values.o \
	src/ledger_rules.o \
	src/ledger_settings.o \
	src/ledger_trigger.o \
	src/ledger_read.o \
	src/ledger_write.o \
	src/ledger_fastpath.o \
	src/ledger_spi.o \
	src/ledger_gate.o \
	src/ledger_error.o \
	src/ledger_ddl.o \
	src/escalation_trigger.o \
	src/escalation_turns.o

# Install script sources, in the order they are concatenated.  Files in
# sql/schema/ create what holds data (tables, indexes, event triggers) and
# run once, at install; a release changes them through its upgrade
# script.  Files in sql/code/ (functions, aggregates, views, grants) are
# written to be run again: every upgrade script replays them all, so an
# upgraded database gets exactly the code of a fresh install.
INSTALL_SOURCES = \
	sql/schema/aggregate_state.sql \
	sql/code/aging.sql \
	sql/code/payment_index.sql \
	sql/code/cei.sql \
	sql/code/payment_delay.sql \
	sql/code/dso.sql \
	sql/code/dso_countback.sql \
	sql/code/risk_score.sql \
	sql/code/risk_behaviour.sql \
	sql/code/currency.sql \
	sql/code/ledger_values.sql \
	sql/code/ledger_rules.sql \
	sql/code/time_zone.sql \
	sql/schema/ledger_tables.sql \
	sql/schema/quarantine_release.sql \
	sql/schema/customer_setting.sql \
	sql/schema/dispute.sql \
	sql/schema/payment_plan.sql \
	sql/schema/touchpoint.sql \
	sql/schema/promise.sql \
	sql/schema/escalation_policy.sql \
	sql/schema/late_fee_claim.sql \
	sql/schema/escalation.sql \
	sql/schema/credit_hold.sql \
	sql/schema/contact_rule.sql \
	sql/schema/message_template.sql \
	sql/schema/record_lock.sql \
	sql/schema/channel_cost.sql \
	sql/schema/access_scope.sql \
	sql/code/access_scope.sql \
	sql/code/customer.sql \
	sql/code/quarantine.sql \
	sql/code/ledger_sync.sql \
	sql/code/attach_checks.sql \
	sql/code/attach_owner.sql \
	sql/code/attach.sql \
	sql/code/ledger_ddl.sql \
	sql/schema/ledger_ddl.sql \
	sql/code/open_items.sql \
	sql/code/invoice_paid_on.sql \
	sql/code/reconcile.sql \
	sql/code/record_status.sql \
	sql/code/record_invoice.sql \
	sql/code/dispute.sql \
	sql/code/disputes_open_on.sql \
	sql/code/payment_plan.sql \
	sql/code/commitments.sql \
	sql/code/touchpoint.sql \
	sql/code/promise.sql \
	sql/code/escalation_policy.sql \
	sql/code/late_payment_charges.sql \
	sql/code/late_fee_claim.sql \
	sql/code/contact_rule.sql \
	sql/code/message_template.sql \
	sql/code/escalation_stage.sql \
	sql/code/escalation_run.sql \
	sql/code/credit_hold.sql \
	sql/code/escalation_outbox.sql \
	sql/code/escalation_events.sql \
	sql/code/ledger_grants.sql \
	sql/code/customer_standing.sql \
	sql/code/customer_risk.sql \
	sql/code/aging_report.sql \
	sql/code/customer_summary.sql \
	sql/code/worklist.sql \
	sql/code/kpi_monthly.sql \
	sql/code/dispute_summary.sql \
	sql/code/collector_performance.sql \
	sql/code/cash_forecast.sql \
	sql/code/access.sql \
	sql/code/access_policies.sql
CODE_SOURCES = $(filter sql/code/%,$(INSTALL_SOURCES))
# The files of sql/schema/ whose objects are new in the version in
# development: the upgrade script creates them too, from the same files,
# right after sql/upgrade/<version>-before.sql.  (Empty again once the
# version is released.)
NEW_SCHEMA = sql/schema/aggregate_state.sql sql/schema/quarantine_release.sql sql/schema/customer_setting.sql \
	sql/schema/dispute.sql sql/schema/payment_plan.sql sql/schema/touchpoint.sql sql/schema/promise.sql \
	sql/schema/escalation_policy.sql sql/schema/late_fee_claim.sql \
	sql/schema/contact_rule.sql sql/schema/message_template.sql \
	sql/schema/record_lock.sql sql/schema/escalation.sql sql/schema/credit_hold.sql \
	sql/schema/channel_cost.sql sql/schema/access_scope.sql

# Released versions are frozen in sql/: the install script of the first
# release and the upgrade script of each later one, never edited again.
# The version in development is generated into build/: its install
# script, and its upgrade script from the newest release, which is
# sql/upgrade/<version>-before.sql (changes to tables, drops), then the
# new tables (NEW_SCHEMA), then every
# file of sql/code/, then sql/upgrade/<version>-after.sql (data
# migration).  To release: copy both generated scripts' upgrade one into
# sql/, and start the next version's sql/upgrade/ files.
RELEASED = $(wildcard sql/$(EXTENSION)--*.sql)
PREVIOUS_VERSION := $(shell ls sql/$(EXTENSION)--*.sql | sed 's/.*--\([0-9.]*\)\.sql$$/\1/' | sort -V | tail -n 1)
UPGRADE_SCRIPT = build/$(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql

DATA = $(RELEASED)
DATA_built = build/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADE_SCRIPT)
EXTRA_CLEAN = build

# pg_regress: inputs are sql/<topic>.sql, expected output expected/<topic>.out
# (ledger_manual first among the ledger tests: the manual's examples
# read the whole ledger, which holds nothing else yet)
REGRESS = scalar aging aggregate_state payment_delay dso cei risk_score ibm_sample \
	ledger_manual ledger_attach ledger_quarantine ledger_history ledger_injection ledger_types ledger_partitions \
	readme ledger_limits ledger_paid_on \
	ledger_statuses ledger_generated_sql ledger_settings ledger_nesting \
	ledger_errors ledger_keys ledger_ddl ledger_rules ledger_fastpath ledger_customers \
	records_dispute records_payment_plan records_touchpoint records_promise records_integrity \
	risk_behaviour \
	escalation_policy escalation_fees escalation_contact escalation_messages escalation_run escalation_events escalation_ledger escalation_fee_currency \
	bi_views cash_forecast cash_forecast_backtest worklist \
	escalation_consent
REGRESS_OPTS = --load-extension=$(EXTENSION)
# Isolation specs (specs/<name>.spec, expected/<name>.out), run by
# installcheck after pg_regress: concurrent writers that the ledger must
# not make wait on, deadlock with or fail against each other.
# One spec per scenario.
ISOLATION = ledger_payments_opposite_order ledger_payment_vs_invoice_update \
	ledger_payment_unknown_key ledger_quarantine_duplicates ledger_attach_writers \
	ledger_new_customer_fastpath ledger_new_customer_sql \
	ledger_serializable_writers ledger_serializable_writers_bulk \
	records_dispute_concurrent records_plan_concurrent records_settle_concurrent \
	escalation_concurrent_runs escalation_payment_vs_run
ISOLATION_OPTS = --load-extension=$(EXTENSION)

# -Wextra as pgvector does; PostgreSQL's own headers (utils/array.h) trip
# -Wsign-compare and its fmgr macros -Wunused-parameter, so those two are off.
# -ffile-prefix-map keeps the source directory out of the library, so that
# every checkout builds the same bytes (scripts/setup.sh compares them with
# the installed library when it may not install).
PG_CFLAGS = -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter \
	-ffile-prefix-map=$(CURDIR)=.
# The library knows which version of the SQL objects it was built with.
PG_CPPFLAGS = -DARCOLLECT_VERSION='"$(EXTVERSION)"'

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

build/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_SOURCES) $(EXTENSION).control
	mkdir -p build
	( printf '%s\n' '-- arcollect $(EXTVERSION), generated from sql/schema/ and sql/code/ by the Makefile: do not edit' \
	    '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  cat $(INSTALL_SOURCES) ) > $@

$(UPGRADE_SCRIPT): sql/upgrade/$(EXTVERSION)-before.sql $(NEW_SCHEMA) $(CODE_SOURCES) sql/upgrade/$(EXTVERSION)-after.sql
	mkdir -p build
	( printf '%s\n' '-- arcollect $(PREVIOUS_VERSION) to $(EXTVERSION), generated by the Makefile: do not edit' \
	    '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE" to load this file. \quit'; \
	  cat $^ ) > $@

# The SQL examples of the README and of the ledger's manual, for the
# pg_regress tests readme and ledger_manual.
build/readme.sql: README.md test/readme_sql.awk
	mkdir -p build
	awk -f test/readme_sql.awk README.md > $@
build/ledger_manual.sql: doc/ledger.md test/readme_sql.awk
	mkdir -p build
	awk -f test/readme_sql.awk doc/ledger.md > $@
installcheck: build/readme.sql build/ledger_manual.sql

# pgTAP suites in test/, run with pg_prove against the current PG* server,
# connected as a superuser.  Every file runs as role arcollect_suite (the
# session's role setting: a superuser's connection acting as an ordinary
# role) with an empty search_path, and says so on its first line,
# TAP_MARKER; a file without that line is refused, so that a new file is
# written that way too.  The role, its grants, pgTAP (in schema tap) and
# dblink are set up first, by test/include/suite_role.sql and
# test/include/suite_tools.sql.
TAP_MARKER = -- Runs as role arcollect_suite with an empty search_path
TAP_FILES = $(wildcard test/*.sql)
TAP_UNMARKED = $(shell awk 'FNR == 1 && index($$0, "$(TAP_MARKER)") != 1 { print FILENAME }' test/*.sql)

.PHONY: prove bench check-version
# META.json (for PGXN) repeats the version of the control file: check it.
check-version:
	@test "$$(grep -c '"version": "$(EXTVERSION)"' META.json)" = 2 || \
	    { echo "META.json does not say version $(EXTVERSION) (arcollect.control) twice" >&2; exit 1; }

prove:
	@if [ -n "$(TAP_UNMARKED)" ]; then \
	    echo "prove: first line is not '$(TAP_MARKER) (README, Tests).': $(TAP_UNMARKED)" >&2; exit 1; \
	fi
	PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 \
	    -f test/include/suite_role.sql -f test/include/suite_tools.sql
	PGOPTIONS='-c search_path= -c role=arcollect_suite' pg_prove --failures $(TAP_FILES)

bench:
	bash bench/run.sh
