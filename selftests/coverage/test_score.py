#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_score.py: the coverage scorer on hand-made scenario runs: what a
hunter reads in REPORT.md, results.json, the Navigator layer and the SVG."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "coverage"))
import score  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pycheck import Checker  # noqa: E402

check = Checker("coverage score")


def hit(rule, tid):
    return {"rule": rule, "attack": {"technique_id": tid, "technique": "x", "tactic": "y"}}


DOC = {
    "run": {"mode": "live", "machine": "test", "kernel": "k", "commit": "c", "date": "d"},
    "scenarios": [
        {"name": "psexec", "techniques": ["T1570", "T1569.002", "T1021.002"],
         "wire": {"T1570": True, "T1569.002": True, "T1021.002": True},
         "hits": [hit("smb.admin_share", "T1021.002"), hit("smb.tool_transfer", "T1570")]},
        {"name": "atexec", "techniques": ["T1053"], "wire": {"T1053": True},
         "hits": [hit("dcerpc.call", "T1053.002")]},
        {"name": "dcom", "techniques": ["T1021.003"], "wire": {"T1021.003": False},
         "note": "Samba rejects DCOM activation", "hits": [],
         "tools": [{"run": "dcomexec", "rc": 2, "last": "can't open file 'dcomexec.py'"},
                   {"run": "ok", "rc": 0, "last": ""},
                   {"run": "poll", "rc": 124, "last": "round 1"}]},
        {"name": "browse", "benign": True, "techniques": [],
         "hits": [hit("smb.ipc_share", "T1021.002"), {"rule": "smb.connect"}]},
        {"name": "c2", "techniques": ["T1071.001"], "wire": {"T1071.001": True},
         "hits": [{"rule": "ioc.dest", "attack": {"technique_id": "T1071"},
                   "ioc": {"attack": {"technique_id": "T1071.001"}}}]},
        # as xdphunt writes them: ioc.attack a list of ids, dcerpc.attack a list of objects
        {"name": "c2_sni", "techniques": ["T1573", "T1071.001"],
         "wire": {"T1573": True, "T1071.001": True},
         "hits": [{"rule": "ioc.tls_sni", "attack": {"technique_id": "T1573"},
                   "ioc": {"attack": ["T1071", "T1071.001", "T1573"]}}]},
        {"name": "listing", "techniques": ["T1135"], "wire": {"T1135": True},
         "seen_on_wire": ["T1135", "T1021.002"],
         "hits": [hit("dcerpc.call", "T1135"), hit("smb.admin_share", "T1021.002"),
                  hit("smb.connect", "T1021.002"), hit("smb.v1", "T1210")]},
        {"name": "services", "techniques": ["T1543.003"], "wire": {"T1543.003": True},
         "hits": [{"rule": "dcerpc.call", "attack": {"technique_id": "T1569.002"},
                   "dcerpc": {"attack": [{"technique_id": "T1569.002"},
                                         {"technique_id": "T1543.003"}]}}]},
    ],
}

res = score.score(DOC)
by_s = {s["name"]: s for s in res["scenarios"]}
by_t = {t["technique_id"]: t for t in res["techniques"]}

check(by_s["psexec"]["detected"] == ["T1570", "T1021.002"], "detected in label order",
      by_s["psexec"]["detected"])
check(by_s["psexec"]["missed"] == ["T1569.002"], "missed", by_s["psexec"]["missed"])
check(by_s["atexec"]["detected"] == ["T1053"], "sub-technique hit meets a parent label")
check(by_t["T1053"]["status"] == "covered" and by_t["T1053"]["rules"] == ["dcerpc.call"],
      "a parent detected by a sub-technique hit names its rules", by_t["T1053"])
check(by_t["T1021"]["status"] == "untested" and by_t["T1021"]["rules"] == [],
      "an untested parent names no rules of its sub-techniques' hits", by_t["T1021"])
check(by_s["dcom"]["expected"] == [] and by_s["dcom"]["not_on_wire"] == ["T1021.003"],
      "label without wire evidence is not scored")
check(by_t["T1021.003"]["status"] == "not produced on the wire", "status not on wire",
      by_t["T1021.003"]["status"])
check(by_s["browse"]["false_hit_techniques"] == ["T1021.002"], "benign hit is a false hit",
      by_s["browse"]["false_hit_techniques"])
check(by_t["T1021.002"]["precision"] == 0.5, "precision counts benign false hits",
      by_t["T1021.002"]["precision"])
check(by_s["c2"]["detected"] == ["T1071.001"], "ioc attack object counts",
      by_s["c2"]["detected"])
check(by_s["c2"]["false_hit_techniques"] == [], "parent technique of a label is no false hit",
      by_s["c2"]["false_hit_techniques"])
check(by_s["c2_sni"]["detected"] == ["T1573", "T1071.001"],
      "ioc.attack list of ids counts", by_s["c2_sni"]["detected"])
check(by_s["services"]["detected"] == ["T1543.003"]
      and by_s["services"]["false_hit_techniques"] == ["T1569.002"],
      "dcerpc.attack list counts; the unlabelled first technique is a false hit",
      by_s["services"])
check(by_s["listing"]["extra_on_wire"] == ["T1021.002"]
      and by_s["listing"]["false_hit_techniques"] == ["T1210"]
      and by_s["listing"]["false_hit_rules"] == {"T1210": ["smb.v1"]},
      "unlabelled technique seen on the wire is an extra finding, not a false hit",
      by_s["listing"])
check(by_s["browse"]["false_hit_rules"] == {"T1021.002": ["smb.ipc_share"]},
      "false hits name their rules", by_s["browse"]["false_hit_rules"])
check(by_t["T1569.002"]["recall"] == 0.0 and by_t["T1569.002"]["status"] == "missed",
      "missed technique has recall 0")
check(by_t["T1570"]["recall"] == 1.0 and by_t["T1570"]["rules"] == ["smb.tool_transfer"],
      "rules that fired listed", by_t["T1570"])
check(by_t["T1003.006"]["status"] == "untested" and "T1003.006" in res["totals"]["untested"],
      "no scenario means untested")
# The catalogue is the scope of "untested": every technique xdphunt's rules
# can report (ATTACK_REF in user/ and the ids ioc.attack writes, as score.py reads them) must be in it.
reported = score.reported_techniques() or set()
check({"T1021.002", "T1569.002", "T1071", "T1135", "T1095", "T1571", "T1039", "T1083"} <= reported
      and "T1053" not in reported,
      "score.py reads the techniques the rules report from user/", sorted(reported))
check(reported <= set(score.CATALOGUE),
      "every technique xdphunt reports is in the catalogue", sorted(reported - set(score.CATALOGUE)))
check("T1564.004" in reported and score.technique_name("T1564.004")
      == "Hide Artifacts: NTFS File Attributes",
      "T1564.004 (an executable in an NTFS stream, user/smb_rules.c) is reported and named")
# An executable written into an NTFS stream: smb.attack carries T1564.004
# beside the hit's T1570, as dcerpc.attack carries an operation's others.
ads = {"name": "ads", "techniques": ["T1570", "T1564.004"],
       "wire": {"T1570": True, "T1564.004": True},
       "hits": [{"rule": "smb.tool_transfer", "attack": {"technique_id": "T1570"},
                 "smb": {"filename": "notes.txt:payload.exe",
                         "attack": [{"technique_id": "T1570"},
                                    {"technique_id": "T1564.004"}]}}]}
s_ads = score.score_scenario(ads)
check(s_ads["detected"] == ["T1570", "T1564.004"] and s_ads["false_hit_techniques"] == [],
      "smb.attack counts", s_ads)
check(score.hit_techniques(ads["hits"][0]) == ["T1570", "T1564.004"],
      "a hit's techniques: its attack, then smb.attack's others",
      score.hit_techniques(ads["hits"][0]))
t = res["totals"]
check((t["expected"], t["detected"], t["missed"]) == (9, 8, 1), "totals",
      (t["expected"], t["detected"], t["missed"]))

with tempfile.TemporaryDirectory() as d:
    score.write_all(res, d, load=[{"offered_pps": 1000, "received_pps": 1000, "recall": 1.0,
                                   "events_lost": 0}])
    with open(os.path.join(d, "layer.json")) as f:
        layer = json.load(f)
    check(layer["domain"] == "enterprise-attack" and layer["versions"]["layer"].startswith("4."),
          "navigator layer 4.x enterprise")
    lt = {x["techniqueID"]: x for x in layer["techniques"]}
    check(lt["T1570"]["score"] == 100 and lt["T1569.002"]["score"] == 0,
          "layer score is recall")
    check("score" not in lt["T1003.006"] and lt["T1003.006"]["color"] == "#bdbdbd",
          "untested technique is grey, unscored")
    with open(os.path.join(d, "REPORT.md")) as f:
        md = f.read()
    check("| T1569.002 |" in md and "Samba rejects DCOM activation" in md and "Under load" in md,
          "report has techniques, notes, load")
    check("## Tool runs that exited non-zero" in md
          and "| dcom | dcomexec | 2 | can't open file 'dcomexec.py' | T1021.003 |" in md
          and "| dcom | ok |" not in md
          and "| dcom | poll | 124 (stopped at its time limit) | round 1 |" in md,
          "failed tool runs are listed beside the labels not on the wire")
    with open(os.path.join(d, "matrix.svg")) as f:
        svg = f.read()
    check(svg.startswith("<svg") and "T1570 100%" in svg and "Lateral Movement" in svg,
          "svg matrix")
    with open(os.path.join(d, "results.json")) as f:
        check(json.load(f)["totals"]["detected"] == 8, "results.json totals")

other = json.loads(json.dumps(DOC))
other["scenarios"][0]["hits"] = other["scenarios"][0]["hits"][:1]
diff = score.compare(res, score.score(other))
check(diff and "psexec" in diff[0], "replay comparison finds a difference", diff)
check(score.compare(res, score.score(DOC)) == [], "identical runs compare equal")

# A miss no rule could have caught says so (T1570: smb.tool_transfer
# exists; a technique outside the rules' reach does not).
doc2 = json.loads(json.dumps(DOC))
doc2["scenarios"].append({"name": "dl", "techniques": ["T1005"], "wire": {"T1005": True}, "hits": []})
doc2["scenarios"].append({"name": "up", "techniques": ["T1570"], "wire": {"T1570": True}, "hits": []})
res2 = score.score(doc2, reported=score.reported_techniques())
md2 = score.report_md(res2)
check("| T1005 | " in md2 and "| missed (no rule reports it) | 1 |" in md2.split("| T1005 | ")[1].split("\n")[0]
      and "| T1570 | Lateral Tool Transfer | partial |" in md2,
      "a miss outside every rule's reach is told from one a rule could catch",
      [x for x in md2.splitlines() if x.startswith(("| T1005", "| T1570"))])
check.exit()
