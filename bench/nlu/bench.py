"""convo's NLU beside scikit-learn (TfidfVectorizer + LogisticRegression) on the same split, and
convo's parse latency and training time. Usage: bench.py CONVO DATA.yml WORKDIR [PARSE_LATENCY_TOOL]"""
import json, random, re, subprocess, sys, time

convo, data_file, work = sys.argv[1], sys.argv[2], sys.argv[3]
ENTITY = re.compile(r"\[([^\]]+?)\](\([^)]+\)|\{[^}]+\})")


def read_examples(path):
    out, intent, block = [], None, False
    for line in open(path, encoding="utf-8"):
        m = re.match(r"- intent:\s*(\S+)", line)
        if m:
            intent, block = m.group(1), False
            continue
        if line.startswith("- "):
            intent = None
        if intent and line.strip().startswith("examples:"):
            block = True
            continue
        if intent and block and line.strip().startswith("- "):
            out.append((intent, line.strip()[2:].strip()))
    return out


def write_yaml(path, examples):
    by = {}
    for intent, text in examples:
        by.setdefault(intent, []).append(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write('version: "2.0"\nnlu:\n')
        for intent, texts in by.items():
            f.write(f"- intent: {intent}\n  examples: |\n")
            for t in texts:
                f.write(f"    - {t}\n")


def plain(text):
    return ENTITY.sub(lambda m: m.group(1), text)


def run(*args):
    t0 = time.perf_counter()
    out = subprocess.run([convo, *args], check=True, capture_output=True, text=True).stdout
    return out, time.perf_counter() - t0


examples = read_examples(data_file)
# The split: every 5th example of each intent is a test example (80/20, deterministic).
train, test, seen = [], [], {}
for intent, text in examples:
    n = seen.get(intent, 0)
    seen[intent] = n + 1
    (test if n % 5 == 4 else train).append((intent, text))
write_yaml(f"{work}/train.yml", train)
write_yaml(f"{work}/test.yml", test)

out, _ = run("nlu", "test", f"{work}/test.yml", "--train", f"{work}/train.yml", "-o", "json")
report = json.loads(out)["intent_report"]
convo_acc, convo_f1 = report["accuracy"], report["weighted avg"]["f1-score"]

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline

sk = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
sk.fit([plain(t) for _, t in train], [i for i, _ in train])
pred = sk.predict([plain(t) for _, t in test])
gold = [i for i, _ in test]
sk_acc, sk_f1 = accuracy_score(gold, pred), f1_score(gold, pred, average="weighted")

# A 50-intent, 10,000-example set (Sara's examples, each intent marked by its own words).
rng = random.Random(7)
words = sorted({w for _, t in examples for w in plain(t).lower().split()})
sara = {}
for intent, text in examples:
    sara.setdefault(intent, []).append(plain(text))
names = sorted(sara)
big = []
for k in range(50):
    base = sara[names[k % len(names)]]
    for j in range(200):
        extra = " ".join(rng.choice(words) for _ in range(2))
        big.append((f"intent_{k:02d}", f"{base[j % len(base)]} topic{k} {extra}"))
write_yaml(f"{work}/big.yml", big)
project = f"{work}/bigbot"
subprocess.run(["mkdir", "-p", f"{project}/data"], check=True)
write_yaml(f"{project}/data/nlu.yml", big)
open(f"{project}/domain.yml", "w").write('version: "2.0"\nintents:\n' + "".join(f"  - intent_{k:02d}\n" for k in range(50)))
open(f"{project}/config.yml", "w").write("pipeline: []\npolicies: []\n")
_, build_s = run("model", "build", project, "-o", f"{work}/models", "--name", "big.tar.gz", "--format", "json")

# Parse latency: every parse timed on its own in one process (bench/nlu/parse_latency.cpp), on the
# held-out texts, 5 rounds; p50 and p99 per parse.
texts = [t for _, t in test]
with open(f"{work}/texts.txt", "w", encoding="utf-8") as f:
    f.write("".join(plain(t).replace("\n", " ") + "\n" for t in texts))
latency_tool = sys.argv[4] if len(sys.argv) > 4 else str(__import__("pathlib").Path(convo).parent.parent.parent / "bench/nlu/convo_bench_nlu_parse")
lat = json.loads(subprocess.run([latency_tool, f"{work}/models/big.tar.gz", f"{work}/texts.txt", "5"],
                                check=True, capture_output=True, text=True).stdout)

print(f"| data | {len(examples)} examples, {len(seen)} intents (Rasa's sara_nlu_data.yml), split 80/20 by intent |")
print("|---|---|")
print(f"| intent accuracy, convo | {convo_acc:.4f} (weighted F1 {convo_f1:.4f}) |")
print(f"| intent accuracy, scikit-learn TfidfVectorizer + LogisticRegression | {sk_acc:.4f} (weighted F1 {sk_f1:.4f}) |")
print(f"| model build, 10,000 examples, 50 intents (training, packing) | {build_s:.2f} s (goal: < 10 s) |")
print(f"| parse, 50-intent model ({lat['parses']} parses, each timed) | p50 {lat['p50_us']:.1f} µs, p99 {lat['p99_us']:.1f} µs (goal: p50 < 100 µs) |")
