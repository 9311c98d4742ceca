#!/usr/bin/env bash
# convo's built-in NLU beside scikit-learn on Rasa's Sara data (bench/nlu/data, from Rasa 2.8.12's
# repository), and its parse latency and training time. Not part of `make test`.
# Usage: bench/nlu/run.sh [CONVO_BINARY]   (default build/apps/convo/convo)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
convo=$(realpath "${1:-$here/../../build/apps/convo/convo}")
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  echo "installing python3-sklearn (Debian) for the comparison" >&2
  apt-get install -y python3-sklearn >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/bench.py" "$convo" "$here/data/sara_nlu_data.yml" "$work"
# Figures on the development machine (2 cores), Debian python3-sklearn 1.2.1:
# | data | 2209 examples, 18 intents (Rasa's sara_nlu_data.yml), split 80/20 by intent |
# | intent accuracy, convo | 0.8894 (weighted F1 0.8859) |
# | intent accuracy, scikit-learn TfidfVectorizer + LogisticRegression | 0.8433 (weighted F1 0.8347) |
# | model build, 10,000 examples, 50 intents (training, packing) | 6.47 s (goal: < 10 s) |
# | parse, 50-intent model (2170 parses, each timed) | p50 14.2 µs, p99 43.0 µs (goal: p50 < 100 µs) |
