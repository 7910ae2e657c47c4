#!/usr/bin/env python3
"""Turns one transaction from PostgreSQL's statement log into a pgbench script.

usage: pgbench_from_log.py LOG MARKER [--unique VALUE=TEMPLATE ...] [--minimal get|create]
       > script.sql

LOG is a server log written with log_statement = 'all' and log_min_duration_statement = 0 (which
logs the text of every statement a connection prepares: "parse NAME: SQL"). A query of several
statements (the services send BEGIN with the statement timeout and the caller's scope as one, and
the rows written at the end as EXECUTEs of prepared statements with COMMIT) is split into its
statements, and each EXECUTE NAME(values) becomes the SQL of NAME with its values bound, so the
script runs without the service's prepared statements. The transaction is the one whose backend
logged a statement or parameter list holding MARKER (e.g. the request id of a CreateCase, or the
reference of the case a GetCase read): every statement that backend ran from the BEGIN before the
marker to the COMMIT after it, with the bind parameters put back in as literals. The result is
exactly the SQL the service sent for that operation.

--unique VALUE=TEMPLATE replaces every occurrence of the literal 'VALUE' (quoted, as the log shows
parameters) by TEMPLATE, an SQL expression that may use pgbench variables, so that each pgbench
transaction writes rows of its own (ids, request ids, references) or reads other rows. The script
starts with the \\set lines the templates need: :n is a random number per transaction and
:client_id is pgbench's own.

--minimal writes instead the least SQL that does the same work, for a measure of what PostgreSQL
itself can do (run it as a role that row-level security does not hold):
  get     one transaction: the case the captured transaction read, by its primary key
          (SELECT * FROM cases.cases WHERE id = ..., the case named by the audit row), and the
          captured audit row's INSERT into audit.events;
  create  one transaction: only the captured INSERTs into cases.cases, cases.case_events,
          cases.idempotency and audit.events, with the same --unique replacements; the scope,
          the statement timeout, the reference counter, the reads and the idempotency record's
          later UPDATE are left out.
"""
import argparse
import re
import sys

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):  (.*)$")
PARAM = re.compile(r"\$(\d+) = ((?:'(?:[^']|'')*')|NULL)")
INSERT = re.compile(r"^\s*INSERT\s+INTO\s+([\w.]+)", re.I)

# The tables whose INSERTs make up a CreateCase, in --minimal create.
CREATE_TABLES = ("cases.cases", "cases.case_events", "cases.idempotency", "audit.events")
AUDIT_TABLE = "audit.events"


def read_entries(path):
    """Yields (pid, kind, text) for every LOG/DETAIL entry, joining continuation lines."""
    entry = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = LINE.match(line)
            if m:
                if entry:
                    yield entry
                entry = [m.group(1), m.group(2), m.group(3)]
            elif entry and (line.startswith("\t") or not re.match(r"^\d{4}-\d\d-\d\d ", line)):
                entry[2] += "\n" + line.lstrip("\t")
        if entry:
            yield entry


def split_statements(text):
    """Splits a query at the semicolons outside quotes."""
    parts, start, quoted = [], 0, False
    for i, c in enumerate(text):
        if c == "'":
            quoted = not quoted
        elif c == ";" and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


EXECUTE = re.compile(r"^EXECUTE\s+(\w+)\s*\((.*)\)$", re.S | re.I)


def statements_of(entries):
    """Per backend: a list of [sql, params_dict] in order, EXECUTEs resolved."""
    per_pid, prepared, last_is_statement = {}, {}, {}
    for pid, kind, text in entries:
        stmts = per_pid.setdefault(pid, [])
        if kind == "LOG":
            # A DETAIL belongs to the LOG entry just before it: the parameters of a "duration ...
            # bind" entry are not those of the statement logged before it.
            last_is_statement[pid] = False
            m = re.match(r"^duration: [\d.]+ ms  (?:parse|bind|execute) ([^:]+): (.*)$", text, re.S)
            if m:
                prepared.setdefault(m.group(1), m.group(2))
                continue
            m = re.match(r"^execute ([^:]*): (.*)$", text, re.S)
            if m:
                prepared.setdefault(m.group(1), m.group(2))
                stmts.append([m.group(2), {}])
                last_is_statement[pid] = True
                continue
            m = re.match(r"^statement: (.*)$", text, re.S)
            if m:
                stmts.extend([part, {}] for part in split_statements(m.group(1)))
                last_is_statement[pid] = True
        elif (kind == "DETAIL" and text.startswith("parameters: ") and stmts
              and last_is_statement.get(pid)):
            stmts[-1][1] = {int(k): v for k, v in PARAM.findall(text[len("parameters: "):])}
    for stmts in per_pid.values():
        for entry in stmts:
            m = EXECUTE.match(entry[0])
            if not m:
                continue
            if m.group(1) not in prepared:
                raise SystemExit("the log does not show the text of prepared statement %s "
                                 "(log_min_duration_statement = 0 before the service prepared it?)"
                                 % m.group(1))
            entry[0] = prepared[m.group(1)]
            entry[1] = {i + 1: v for i, v in enumerate(split_top_level(m.group(2)))}
    return per_pid


def find_transaction(per_pid, marker):
    """The (pid, [sql, params] ...) of the transaction holding marker, from BEGIN to COMMIT."""
    for pid, stmts in per_pid.items():
        hit = next((i for i, (sql, params) in enumerate(stmts)
                    if marker in sql or any(marker in v for v in params.values())), None)
        if hit is None:
            continue
        begin = max(i for i in range(hit + 1) if stmts[i][0].strip().upper().startswith("BEGIN"))
        end = min(i for i in range(hit, len(stmts)) if stmts[i][0].strip().upper() == "COMMIT")
        return pid, stmts[begin:end + 1]
    return None, None


def bind(sql, params):
    # Highest numbers first so $1 does not eat into $12.
    for number in sorted(params, reverse=True):
        sql = re.sub(r"\$%d(?!\d)" % number, lambda _: params[number], sql)
    return sql


def inserted_table(sql):
    m = INSERT.match(sql)
    return m.group(1).lower() if m else None


def split_top_level(text):
    """Splits text at the commas outside parentheses and quotes."""
    parts, depth, start, quoted = [], 0, 0, False
    for i, c in enumerate(text):
        if quoted:
            quoted = c != "'"
        elif c == "'":
            quoted = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def inserted_value(sql, params, column):
    """The parameter value (unquoted) an INSERT ... (columns) VALUES (...) writes into column."""
    m = re.match(r"^\s*INSERT\s+INTO\s+[\w.]+\s*\(([^)]*)\)\s*VALUES\s*\(", sql, re.I | re.S)
    if not m:
        return None
    columns = [c.strip().lower() for c in m.group(1).split(",")]
    depth, end = 1, None
    for i in range(m.end(), len(sql)):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            depth -= 1
            if depth == 0:
                end = i
                break
    values = split_top_level(sql[m.end():end])
    if column not in columns or len(values) != len(columns):
        return None
    number = re.search(r"\$(\d+)", values[columns.index(column)])
    value = params.get(int(number.group(1))) if number else None
    if not value or value == "NULL" or value == "''":
        return None
    return value[1:-1].replace("''", "'")


def one_line(text):
    return " ".join(text.split()) + ";"


def minimal_statements(kind, txn):
    """The SQL of --minimal KIND from the captured transaction, or raises SystemExit."""
    inserts = [(sql, params) for sql, params in txn if inserted_table(sql)]
    audit = [(sql, params) for sql, params in inserts if inserted_table(sql) == AUDIT_TABLE]
    if len(audit) != 1:
        raise SystemExit("expected one INSERT into %s in the transaction, found %d"
                         % (AUDIT_TABLE, len(audit)))
    if kind == "get":
        case_id = inserted_value(audit[0][0], audit[0][1], "case_id")
        if not case_id or not re.fullmatch(r"[0-9a-fA-F-]{36}", case_id):
            raise SystemExit("the audit row of the transaction names no case")
        return ["SELECT * FROM cases.cases WHERE id = '%s';" % case_id,
                one_line(bind(*audit[0]))]
    kept = [(sql, params) for sql, params in inserts if inserted_table(sql) in CREATE_TABLES]
    missing = sorted(set(CREATE_TABLES) - {inserted_table(sql) for sql, _ in kept})
    if missing:
        raise SystemExit("no INSERT into %s in the transaction" % ", ".join(missing))
    return [one_line(bind(sql, params)) for sql, params in kept]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log")
    parser.add_argument("marker")
    parser.add_argument("--unique", action="append", default=[], metavar="VALUE=TEMPLATE")
    parser.add_argument("--minimal", choices=("get", "create"))
    args = parser.parse_args(argv[1:])
    uniques = []
    for item in args.unique:
        if "=" not in item:
            parser.error("--unique needs VALUE=TEMPLATE")
        uniques.append(tuple(item.split("=", 1)))

    pid, txn = find_transaction(statements_of(read_entries(args.log)), args.marker)
    if txn is None:
        sys.stderr.write("no transaction holds %r in %s\n" % (args.marker, args.log))
        return 1
    header = "-- transaction of backend %s holding %r, from %s" % (pid, args.marker, args.log)
    if args.minimal:
        header += "; minimal equivalent (%s)" % args.minimal
        body = ["BEGIN;"] + minimal_statements(args.minimal, txn) + ["COMMIT;"]
    else:
        body = [one_line(bind(sql, params)) for sql, params in txn
                # the runner's deadline, not part of the operation
                if not sql.startswith("SET LOCAL statement_timeout")]
    out = [header, "\\set n random(1, 9000000000000000)"]
    for text in body:
        for value, template in uniques:
            text = text.replace("'%s'" % value, template)
        out.append(text)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
