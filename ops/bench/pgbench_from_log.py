#!/usr/bin/env python3
"""Turns one transaction from PostgreSQL's statement log into a pgbench script.

usage: pgbench_from_log.py LOG MARKER [--unique VALUE=TEMPLATE ...] > script.sql

LOG is a server log written with log_statement = 'all'. The transaction is the one whose backend
logged a statement or parameter list holding MARKER (e.g. the request id of a CreateCase, or the
reference of the case a GetCase read): every statement that backend ran from the BEGIN before the
marker to the COMMIT after it, with the bind parameters put back in as literals. The result is
exactly the SQL the service sent for that operation.

--unique VALUE=TEMPLATE replaces every occurrence of the literal 'VALUE' (quoted, as the log shows
parameters) by TEMPLATE, an SQL expression that may use pgbench variables, so that each pgbench
transaction writes rows of its own (ids, request ids, references) or reads other rows. The script
starts with the \\set lines the templates need: :n is a random number per transaction and
:client_id is pgbench's own.
"""
import re
import sys

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):  (.*)$")
PARAM = re.compile(r"\$(\d+) = ((?:'(?:[^']|'')*')|NULL)")


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


def statements_of(entries):
    """Per backend: a list of [sql, params_dict] in order."""
    per_pid = {}
    for pid, kind, text in entries:
        stmts = per_pid.setdefault(pid, [])
        if kind == "LOG":
            m = re.match(r"^(?:statement|execute [^:]*): (.*)$", text, re.S)
            if m:
                stmts.append([m.group(1), {}])
        elif kind == "DETAIL" and text.startswith("parameters: ") and stmts:
            stmts[-1][1] = {int(k): v for k, v in PARAM.findall(text[len("parameters: "):])}
    return per_pid


def bind(sql, params):
    # Highest numbers first so $1 does not eat into $12.
    for number in sorted(params, reverse=True):
        sql = re.sub(r"\$%d(?!\d)" % number, lambda _: params[number], sql)
    return sql


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    log, marker = argv[1], argv[2]
    uniques = []
    args = argv[3:]
    while args:
        if args[0] != "--unique" or len(args) < 2 or "=" not in args[1]:
            sys.stderr.write(__doc__)
            return 2
        value, template = args[1].split("=", 1)
        uniques.append((value, template))
        args = args[2:]

    per_pid = statements_of(read_entries(log))
    for pid, stmts in per_pid.items():
        hit = next((i for i, (sql, params) in enumerate(stmts)
                    if marker in sql or any(marker in v for v in params.values())), None)
        if hit is None:
            continue
        begin = max(i for i in range(hit + 1) if stmts[i][0].strip().upper() == "BEGIN")
        end = min(i for i in range(hit, len(stmts)) if stmts[i][0].strip().upper() == "COMMIT")
        out = ["-- " + "transaction of backend %s holding %r, from %s" % (pid, marker, log),
               "\\set n random(1, 9000000000000000)"]
        for sql, params in stmts[begin:end + 1]:
            if sql.startswith("SET LOCAL statement_timeout"):
                continue  # the runner's deadline, not part of the operation
            text = bind(sql, params)
            for value, template in uniques:
                text = text.replace("'%s'" % value, template)
            out.append(" ".join(text.split()) + ";")
        print("\n".join(out))
        return 0
    sys.stderr.write("no transaction holds %r in %s\n" % (marker, log))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
