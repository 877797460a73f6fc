#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""score.py: turn scenario runs into the hunt-coverage scorecard.

Input (one JSON file, written by run.py or by hand for tests):
  {"run": {...machine, kernel, commit, mode: "live"|"replay"...},
   "scenarios": [{"name", "description", "benign": bool,
                  "techniques": ["T1570", ...],        # the scenario's labels
                  "wire": {"T1570": true, ...},          # tshark saw the evidence
                  "wire_evidence": {"T1570": "smb2.filename ... .exe"},
                  "note": "why a technique cannot be produced for real here",
                  "hits": [<xdphunt JSON lines attributed to this scenario>]}]}
Output: results.json, REPORT.md, layer.json (ATT&CK Navigator 4.x) and
matrix.svg in the output directory.

Scoring: a technique a scenario is labelled with is *expected* when tshark
found its evidence on the wire (a label whose evidence never reached the wire
is listed as "not on the wire", not scored). It is *detected* when a hit of the
scenario carries that technique (or one of its sub-techniques; a
sub-technique label is only met by itself). Hits whose technique is not among
the scenario's labels are *false hits*; in benign scenarios every hit with a
technique is one. Techniques in xdphunt's scope with no scenario are listed as
untested, never as covered.
"""
import argparse
import html
import json
import os
import re
import sys

# ATT&CK v18 enterprise tactic order (TA IDs) for the matrix picture.
TACTICS = [
    ("reconnaissance", "Reconnaissance"), ("resource-development", "Resource Development"),
    ("initial-access", "Initial Access"), ("execution", "Execution"),
    ("persistence", "Persistence"), ("privilege-escalation", "Privilege Escalation"),
    ("defense-evasion", "Defense Evasion"), ("credential-access", "Credential Access"),
    ("discovery", "Discovery"), ("lateral-movement", "Lateral Movement"),
    ("collection", "Collection"), ("command-and-control", "Command and Control"),
    ("exfiltration", "Exfiltration"), ("impact", "Impact"),
]

# Techniques xdphunt's rules can report or its scenarios exercise: id -> (name, tactics).
# Names and tactics as in ATT&CK v18 (enterprise).
CATALOGUE = {
    "T1003.002": ("OS Credential Dumping: Security Account Manager", ["credential-access"]),
    "T1003.006": ("OS Credential Dumping: DCSync", ["credential-access"]),
    "T1012": ("Query Registry", ["discovery"]),
    "T1018": ("Remote System Discovery", ["discovery"]),
    "T1021": ("Remote Services", ["lateral-movement"]),
    "T1021.002": ("Remote Services: SMB/Windows Admin Shares", ["lateral-movement"]),
    "T1021.003": ("Remote Services: Distributed Component Object Model", ["lateral-movement"]),
    "T1033": ("System Owner/User Discovery", ["discovery"]),
    "T1039": ("Data from Network Shared Drive", ["collection"]),
    "T1046": ("Network Service Discovery", ["discovery"]),
    "T1047": ("Windows Management Instrumentation", ["execution"]),
    "T1049": ("System Network Connections Discovery", ["discovery"]),
    "T1053": ("Scheduled Task/Job", ["execution", "persistence", "privilege-escalation"]),
    "T1053.002": ("Scheduled Task/Job: At", ["execution", "persistence", "privilege-escalation"]),
    "T1053.005": ("Scheduled Task/Job: Scheduled Task",
                  ["execution", "persistence", "privilege-escalation"]),
    "T1069": ("Permission Groups Discovery", ["discovery"]),
    "T1069.002": ("Permission Groups Discovery: Domain Groups", ["discovery"]),
    "T1082": ("System Information Discovery", ["discovery"]),
    "T1083": ("File and Directory Discovery", ["discovery"]),
    "T1016": ("System Network Configuration Discovery", ["discovery"]),
    "T1124": ("System Time Discovery", ["discovery"]),
    "T1482": ("Domain Trust Discovery", ["discovery"]),
    "T1070.001": ("Indicator Removal: Clear Windows Event Logs", ["defense-evasion"]),
    "T1071": ("Application Layer Protocol", ["command-and-control"]),
    "T1071.001": ("Application Layer Protocol: Web Protocols", ["command-and-control"]),
    "T1071.004": ("Application Layer Protocol: DNS", ["command-and-control"]),
    "T1087": ("Account Discovery", ["discovery"]),
    "T1087.002": ("Account Discovery: Domain Account", ["discovery"]),
    "T1095": ("Non-Application Layer Protocol", ["command-and-control"]),
    "T1098": ("Account Manipulation", ["persistence", "privilege-escalation"]),
    "T1098.007": ("Account Manipulation: Additional Local or Domain Groups",
                  ["persistence", "privilege-escalation"]),
    "T1110": ("Brute Force", ["credential-access"]),
    "T1110.001": ("Brute Force: Password Guessing", ["credential-access"]),
    "T1110.003": ("Brute Force: Password Spraying", ["credential-access"]),
    "T1558.003": ("Steal or Forge Kerberos Tickets: Kerberoasting", ["credential-access"]),
    "T1558.004": ("Steal or Forge Kerberos Tickets: AS-REP Roasting", ["credential-access"]),
    "T1112": ("Modify Registry", ["defense-evasion", "persistence"]),
    "T1135": ("Network Share Discovery", ["discovery"]),
    "T1136": ("Create Account", ["persistence"]),
    "T1187": ("Forced Authentication", ["credential-access"]),
    "T1207": ("Rogue Domain Controller", ["defense-evasion"]),
    "T1210": ("Exploitation of Remote Services", ["lateral-movement"]),
    "T1529": ("System Shutdown/Reboot", ["impact"]),
    "T1543.003": ("Create or Modify System Process: Windows Service",
                  ["persistence", "privilege-escalation"]),
    "T1547.010": ("Boot or Logon Autostart Execution: Port Monitors",
                  ["persistence", "privilege-escalation"]),
    "T1547.012": ("Boot or Logon Autostart Execution: Print Processors",
                  ["persistence", "privilege-escalation"]),
    "T1557.001": ("Adversary-in-the-Middle: LLMNR/NBT-NS Poisoning and SMB Relay",
                  ["credential-access", "collection"]),
    "T1564.004": ("Hide Artifacts: NTFS File Attributes", ["defense-evasion"]),
    "T1036.008": ("Masquerading: Masquerade File Type", ["defense-evasion"]),
    "T1059.003": ("Command and Scripting Interpreter: Windows Command Shell", ["execution"]),
    "T1003.001": ("OS Credential Dumping: LSASS Memory", ["credential-access"]),
    "T1003.003": ("OS Credential Dumping: NTDS", ["credential-access"]),
    "T1569.002": ("System Services: Service Execution", ["execution"]),
    "T1570": ("Lateral Tool Transfer", ["lateral-movement"]),
    "T1571": ("Non-Standard Port", ["command-and-control"]),
    "T1573": ("Encrypted Channel", ["command-and-control"]),
    "T1649": ("Steal or Forge Authentication Certificates", ["credential-access"]),
}


def technique_name(tid):
    return CATALOGUE.get(tid, ("(not in xdphunt's catalogue)", []))[0]


def reported_techniques(src=None):
    """Every technique an xdphunt rule can put in a hit: the ATTACK_REF
    table entries in user/ (a hit's technique needs its name from there),
    the ids the ioc object's "attack" array writes as literals
    (user/ioc_event.c, "\\"T1571\\""), and the techniques of the built-in SMB
    rules (data/smb-rules.conf `technique` lines). None when the sources are
    not at hand."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = src or os.path.join(here, "..", "..", "user")
    found = set()
    try:
        for fn in sorted(os.listdir(src)):
            if fn.endswith((".c", ".h")):
                with open(os.path.join(src, fn)) as f:
                    text = f.read()
                found |= set(re.findall(r'ATTACK_REF\(\s*"(T\d{4}(?:\.\d{3})?)"', text))
                found |= set(re.findall(r'\\"(T\d{4}(?:\.\d{3})?)\\"', text))
        with open(os.path.join(src, "..", "data", "smb-rules.conf")) as f:
            found |= set(re.findall(r'(?m)^technique\s+(T\d{4}(?:\.\d{3})?)\s', f.read()))
    except OSError:
        return None
    return found or None


def meets(label, hit_tid):
    """A hit's technique meets a label when equal, or when the label is a
    parent technique and the hit one of its sub-techniques."""
    return hit_tid == label or ("." not in label and hit_tid.startswith(label + "."))


def _tids(att):
    """Technique ids of an "attack" value: an object, or a list of objects
    or of plain ids (ioc.attack is ["T1071", "T1071.001"])."""
    if isinstance(att, dict):
        return [att["technique_id"]] if att.get("technique_id") else []
    if isinstance(att, list):
        out = []
        for a in att:
            if isinstance(a, str):
                out.append(a)
            elif isinstance(a, dict) and a.get("technique_id"):
                out.append(a["technique_id"])
        return out
    return []


def hit_techniques(hit):
    """Every ATT&CK technique a hit carries: the rule's ("attack"), and the
    ones in its ioc, dcerpc and smb objects (smb.attack: an executable
    written into an NTFS stream adds T1564.004)."""
    out = _tids(hit.get("attack"))
    for k in ("ioc", "dcerpc", "smb"):
        if isinstance(hit.get(k), dict):
            out += [t for t in _tids(hit[k].get("attack")) if t not in out]
    return out


def score_scenario(sc):
    labels = list(dict.fromkeys(sc.get("techniques", [])))
    wire = sc.get("wire", {})
    hits = sc.get("hits", [])
    hit_tids = {}
    rules = {}
    for h in hits:
        for t in hit_techniques(h):
            hit_tids.setdefault(t, set()).add(h.get("rule", "?"))
        rules[h.get("rule", "?")] = rules.get(h.get("rule", "?"), 0) + 1
    expected = [t for t in labels if wire.get(t, False)]
    not_on_wire = [t for t in labels if not wire.get(t, False)]
    detected, missed = [], []
    for t in expected:
        if any(meets(t, ht) for ht in hit_tids):
            detected.append(t)
        else:
            missed.append(t)
    # A hit's technique is false unless it meets a label or is the parent of
    # one (T1071 beside a T1071.001 label is the same finding, less precise).
    # In an attack scenario, an unlabelled technique whose evidence tshark
    # saw in the scenario's traffic ("seen_on_wire") is a true extra finding,
    # not a false hit. In a benign scenario every hit with a technique is false.
    seen = sc.get("seen_on_wire", [])
    extra, false_hits = [], []
    for t in sorted(hit_tids):
        if sc.get("benign"):
            false_hits.append(t)
        elif any(meets(lab, t) or meets(t, lab) for lab in labels):
            continue
        elif any(meets(w, t) or meets(t, w) for w in seen):
            extra.append(t)
        else:
            false_hits.append(t)
    return {
        "name": sc["name"],
        "description": sc.get("description", ""),
        "benign": bool(sc.get("benign")),
        "labels": labels,
        "expected": expected,
        "detected": detected,
        "missed": missed,
        "not_on_wire": not_on_wire,
        "false_hit_techniques": false_hits,
        "false_hit_rules": {t: sorted(hit_tids[t]) for t in false_hits},
        "extra_on_wire": extra,
        "rules": dict(sorted(rules.items())),
        "hits": len(hits),
        "note": sc.get("note", ""),
        "wire_evidence": sc.get("wire_evidence", {}),
        "tools_failed": [t for t in sc.get("tools", []) if t.get("rc")],
    }


def score(doc, scope=None, reported=None):
    """Scenario and technique tables. @scope: technique ids in the hunt's
    scope (default: the catalogue)."""
    scen = [score_scenario(sc) for sc in doc.get("scenarios", [])]
    scope = sorted(set(scope or CATALOGUE))
    tech = {}
    for t in sorted(set(scope) | {t for s in scen for t in s["labels"] + s["false_hit_techniques"]}):
        tech[t] = {"technique_id": t, "name": technique_name(t), "expected": 0, "detected": 0,
                   "missed": 0, "false_hits": 0, "not_on_wire": 0, "scenarios": [], "rules": []}
    for s in scen:
        for t in s["expected"]:
            tech[t]["expected"] += 1
            tech[t]["scenarios"].append(s["name"])
        for t in s["detected"]:
            tech[t]["detected"] += 1
        for t in s["missed"]:
            tech[t]["missed"] += 1
        for t in s["not_on_wire"]:
            tech[t]["not_on_wire"] += 1
            if s["name"] not in tech[t]["scenarios"]:
                tech[t]["scenarios"].append(s["name"])
        for t in s["false_hit_techniques"]:
            tech[t]["false_hits"] += 1
    # A parent row that a scenario expects also names the rules whose
    # sub-technique hits met it (T1087 detected by T1087.002 hits), as
    # score_scenario() counts them; an untested parent names only its own.
    for s, sc in zip(scen, doc.get("scenarios", [])):
        for h in sc.get("hits", []):
            for t in hit_techniques(h):
                for k in tech:
                    if (k == t or (meets(k, t) and tech[k]["scenarios"])) and h.get("rule") not in tech[k]["rules"]:
                        tech[k]["rules"].append(h.get("rule"))
    for t in tech.values():
        t["rules"].sort()
        tp, fp = t["detected"], t["false_hits"]
        t["recall"] = round(tp / t["expected"], 4) if t["expected"] else None
        t["precision"] = round(tp / (tp + fp), 4) if (tp + fp) else None
        if t["expected"]:
            t["status"] = "covered" if t["missed"] == 0 else ("partial" if tp else "missed")
        elif t["not_on_wire"]:
            t["status"] = "not produced on the wire"
        else:
            t["status"] = "untested"
        # A miss no rule could have caught is the sensor's scope, not a
        # failure to see what it looks for.
        if reported is not None:
            t["no_rule"] = not any(meets(t["technique_id"], r) for r in reported)
    exp = sum(t["expected"] for t in tech.values())
    det = sum(t["detected"] for t in tech.values())
    fps = sum(t["false_hits"] for t in tech.values())
    totals = {
        "scenarios": len(scen),
        "expected": exp,
        "detected": det,
        "missed": exp - det,
        "false_hits": fps,
        "recall": round(det / exp, 4) if exp else None,
        "precision": round(det / (det + fps), 4) if (det + fps) else None,
        "untested": sorted(t for t, v in tech.items() if v["status"] == "untested"),
    }
    return {"run": doc.get("run", {}), "totals": totals, "scenarios": scen,
            "techniques": list(tech.values())}


def pct(v):
    return "n/a" if v is None else "%.0f%%" % (100 * v)


def report_md(res, load=None):
    r, t = res["run"], res["totals"]
    out = ["# xdphunt hunt coverage", ""]
    out.append("Generated by `make coverage` (%s mode). Machine: %s; kernel %s; commit %s; %s."
               % (r.get("mode", "?"), r.get("machine", "?"), r.get("kernel", "?"),
                  r.get("commit", "?"), r.get("date", "?")))
    out += ["", "Ground truth: each scenario's ATT&CK labels, kept only where tshark found the "
            "evidence in a capture of the same run (never xdphunt's own output). A technique "
            "with no scenario is *untested*, never covered.", ""]
    out.append("**Totals:** %d scenarios, %d expected technique detections, %d detected, "
               "%d missed, %d false hits; recall %s, precision %s."
               % (t["scenarios"], t["expected"], t["detected"], t["missed"], t["false_hits"],
                  pct(t["recall"]), pct(t["precision"])))
    out += ["", "## Per technique", "",
            "| technique | name | status | expected | detected | missed | false hits | recall "
            "| precision | rules that fired | scenarios |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for x in res["techniques"]:
        out.append("| %s | %s | %s | %d | %d | %d | %d | %s | %s | %s | %s |" % (
            x["technique_id"], x["name"],
            x["status"] + (" (no rule reports it)" if x.get("no_rule") and x["missed"] else ""),
            x["expected"], x["detected"], x["missed"],
            x["false_hits"], pct(x["recall"]), pct(x["precision"]),
            ", ".join("`%s`" % r_ for r_ in x["rules"]) or "-",
            ", ".join(x["scenarios"]) or "-"))
    out += ["", "## Per scenario", "",
            "| scenario | benign | expected | detected | missed | not on the wire | false hits "
            "(rules) | also on the wire | rules (hits) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in res["scenarios"]:
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            s["name"], "yes" if s["benign"] else "", " ".join(s["expected"]) or "-",
            " ".join(s["detected"]) or "-", " ".join(s["missed"]) or "-",
            " ".join(s["not_on_wire"]) or "-",
            " ".join("%s (%s)" % (t, ", ".join("`%s`" % r_ for r_ in s["false_hit_rules"][t]))
                     for t in s["false_hit_techniques"]) or "-",
            " ".join(s["extra_on_wire"]) or "-",
            ", ".join("`%s` %d" % kv for kv in s["rules"].items()) or "-"))
    failed = [s for s in res["scenarios"] if s.get("tools_failed")]
    if failed:
        out += ["", "## Tool runs that exited non-zero", "",
                "Read with the labels \"not on the wire\": they are the lab's limit only when "
                "the tool ran and the server refused it, not when the tool could not run.", "",
                "| scenario | tool run | exit | last output line | not on the wire |",
                "| --- | --- | ---: | --- | --- |"]
        for s in failed:
            for tl in s["tools_failed"]:
                out.append("| %s | %s | %s | %s | %s |" % (
                    s["name"], tl.get("run", "?"),
                    "124 (stopped at its time limit)" if tl["rc"] == 124 else "%d" % tl["rc"],
                    (tl.get("last") or "-").replace("|", "\\|"),
                    " ".join(s["not_on_wire"]) or "-"))
    notes = [s for s in res["scenarios"] if s["note"]]
    if notes:
        out += ["", "## What the lab cannot produce for real", ""]
        for s in notes:
            out.append("- **%s**: %s" % (s["name"], s["note"]))
    if load:
        out += ["", "## Under load", "",
                "The attack scenarios again, each rate with a fresh xdphunt, while tcpreplay "
                "pushes a background capture (the bench mix: TCP 443, DNS, SMB, RPC and IoC "
                "flows, re-addressed out of the lab's plan) into the gateway's attacker-side "
                "interface. Recall is against the techniques tshark found on the wire in the "
                "unloaded run; received pps is what the XDP hook counted (all interfaces) "
                "during the scenarios; events lost is xdphunt's ring-buffer loss counter.", "",
                "| offered pps | sent pps (tcpreplay) | received pps (XDP) | detected / expected "
                "| recall | events lost | why it degrades |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for row in load:
            out.append("| %s | %s | %s | %s / %s | %s | %s | %s |" % (
                row.get("offered_pps", "?"), row.get("tcpreplay_pps", "?"),
                row.get("received_pps", "?"), row.get("detected", "?"),
                row.get("expected", "?"), pct(row.get("recall")),
                row.get("events_lost", "?"), load_why(row, t)))
    if res.get("replay_equal") is not None:
        out += ["", "## Replay", "",
                "`xdphunt replay` of the scenario captures gives %s scorecard as live "
                "(per scenario: expected, detected, missed and false-hit techniques compared)."
                % ("the same" if res["replay_equal"] else "a DIFFERENT")]
        rt = res.get("replay_totals")
        if rt:
            out += ["", "| run | expected | detected | missed | false hits | recall | precision |",
                    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for name, x in (("live", t), ("replay", rt)):
                out.append("| %s | %d | %d | %d | %d | %s | %s |" % (
                    name, x["expected"], x["detected"], x["missed"], x["false_hits"],
                    pct(x["recall"]), pct(x["precision"])))
        for d in res.get("replay_diff", []):
            out.append("- %s" % d)
    return "\n".join(out) + "\n"


def load_why(row, base):
    """Why a loaded run lost detections, from what it measured."""
    if row.get("recall") is None or base.get("recall") is None:
        return row.get("note", "")
    if row["recall"] >= base["recall"] and not row.get("events_lost"):
        return "no degradation"
    why = []
    if row.get("events_lost"):
        why.append("%d events lost: the ring buffer filled faster than userspace "
                   "drained it" % row["events_lost"])
    if row["recall"] < base["recall"] and not row.get("events_lost"):
        why.append("no event was lost, so the misses are traffic that never reached the "
                   "hook intact or tools that failed under CPU starvation")
    if row.get("missed"):
        why.append("missed: " + ", ".join(row["missed"][:8])
                   + (" ..." if len(row["missed"]) > 8 else ""))
    return "; ".join(why)


def navigator_layer(res):
    """ATT&CK Navigator layer, format 4.5, enterprise domain; score = recall."""
    techs = []
    for x in res["techniques"]:
        comment = "%s: %d/%d scenario detections; rules %s" % (
            x["status"], x["detected"], x["expected"], ", ".join(x["rules"]) or "none")
        if x["status"] in ("covered", "partial", "missed"):
            techs.append({"techniqueID": x["technique_id"], "score": round(100 * x["recall"]),
                          "comment": comment, "enabled": True})
        else:
            techs.append({"techniqueID": x["technique_id"], "color": "#bdbdbd",
                          "comment": comment, "enabled": True})
    return {
        "name": "xdphunt coverage",
        "versions": {"attack": "18", "navigator": "5.1.0", "layer": "4.5"},
        "domain": "enterprise-attack",
        "description": "Recall of xdphunt per technique on live lab scenarios "
                       "(make coverage). Grey: untested or not producible in the lab. "
                       "Compare with the Lazarus Group (G0032) layer.",
        "sorting": 0,
        "layout": {"layout": "side", "showID": True, "showName": True},
        "hideDisabled": False,
        "techniques": techs,
        "gradient": {"colors": ["#ff6666", "#ffe766", "#8ec843"], "minValue": 0,
                     "maxValue": 100},
        "legendItems": [{"label": "untested / not on the wire", "color": "#bdbdbd"}],
        "showTacticRowBackground": True,
        "tacticRowBackground": "#dddddd",
        "selectTechniquesAcrossTactics": True,
    }


def color_for(x):
    if x["recall"] is None:
        return "#bdbdbd"
    r = x["recall"]
    if r >= 0.999:
        return "#8ec843"
    if r > 0:
        return "#ffe766"
    return "#ff6666"


def matrix_svg(res):
    """A matrix a person reads at a glance: one column per tactic that has a
    technique in scope, one box per technique, coloured by recall."""
    cols = []
    for tac, title in TACTICS:
        items = [x for x in res["techniques"]
                 if tac in CATALOGUE.get(x["technique_id"], ("", []))[1]]
        if items:
            cols.append((title, items))
    cw, bh, pad, top = 190, 46, 8, 70
    rows = max((len(i) for _, i in cols), default=0)
    w = pad + len(cols) * (cw + pad)
    h = top + rows * (bh + pad) + 60
    t = res["totals"]
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="DejaVu Sans, Arial, sans-serif">' % (w, h),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="24" font-size="18" font-weight="bold">xdphunt hunt coverage '
         '(%s)</text>' % (pad, html.escape(res["run"].get("mode", "live"))),
         '<text x="%d" y="46" font-size="12">recall %s, precision %s, %d scenarios; '
         'green = always detected, yellow = sometimes, red = missed, grey = untested</text>'
         % (pad, pct(t["recall"]), pct(t["precision"]), t["scenarios"])]
    for ci, (title, items) in enumerate(cols):
        x = pad + ci * (cw + pad)
        o.append('<text x="%d" y="%d" font-size="12" font-weight="bold">%s</text>'
                 % (x, top - 8, html.escape(title)))
        for ri, it in enumerate(items):
            y = top + ri * (bh + pad)
            label = "%s %s" % (it["technique_id"],
                               "" if it["recall"] is None else pct(it["recall"]))
            name = it["name"].split(": ")[-1]
            o.append('<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" '
                     'stroke="#555"/>' % (x, y, cw, bh, color_for(it)))
            o.append('<text x="%d" y="%d" font-size="11" font-weight="bold">%s</text>'
                     % (x + 6, y + 17, html.escape(label)))
            o.append('<text x="%d" y="%d" font-size="10">%s</text>'
                     % (x + 6, y + 33, html.escape(name[:30])))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def write_all(res, outdir, load=None):
    os.makedirs(outdir, exist_ok=True)
    doc = dict(res)
    if load is not None:
        doc["under_load"] = load
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    with open(os.path.join(outdir, "REPORT.md"), "w") as f:
        f.write(report_md(res, load))
    with open(os.path.join(outdir, "layer.json"), "w") as f:
        json.dump(navigator_layer(res), f, indent=1)
        f.write("\n")
    with open(os.path.join(outdir, "matrix.svg"), "w") as f:
        f.write(matrix_svg(res))


def compare(a, b):
    """Differences between two scorecards' per-scenario detections."""
    diff = []
    bs = {s["name"]: s for s in b["scenarios"]}
    for s in a["scenarios"]:
        o = bs.get(s["name"])
        if not o:
            diff.append("%s: missing in the second run" % s["name"])
            continue
        for k in ("expected", "detected", "missed", "false_hit_techniques"):
            if sorted(s[k]) != sorted(o[k]):
                diff.append("%s: %s %s vs %s" % (s["name"], k, s[k], o[k]))
    return diff


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", help="scenario runs JSON (live)")
    ap.add_argument("--replay", help="the same scenarios scored from xdphunt replay")
    ap.add_argument("--load", help="under-load rows JSON")
    ap.add_argument("-o", "--outdir", default="coverage")
    a = ap.parse_args()
    reported = reported_techniques()
    with open(a.runs) as f:
        res = score(json.load(f), reported=reported)
    if a.replay:
        with open(a.replay) as f:
            rep = score(json.load(f), reported=reported)
        res["replay_diff"] = compare(res, rep)
        res["replay_totals"] = rep["totals"]
        res["replay_equal"] = not res["replay_diff"]
    load = None
    if a.load:
        with open(a.load) as f:
            load = json.load(f)
    write_all(res, a.outdir, load)
    t = res["totals"]
    print("coverage: %d scenarios, recall %s, precision %s, %d missed, %d false hits -> %s/"
          % (t["scenarios"], pct(t["recall"]), pct(t["precision"]), t["missed"],
             t["false_hits"], a.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
