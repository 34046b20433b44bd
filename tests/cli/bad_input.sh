#!/usr/bin/env bash
# Bad input through the covenant program: every case must fail with a clear
# message and a non-zero exit, and must leave nothing written or changed.
#   bad_input.sh /path/to/covenant
set -uo pipefail
covenant=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0

ok()   { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_fail NAME EXIT_CODE MESSAGE_FRAGMENT -- covenant args...
expect_fail() {
  local name=$1 want_rc=$2 fragment=$3
  shift 4
  local out rc
  out=$("$covenant" "$@" 2>&1 </dev/null)
  rc=$?
  if [[ $rc -ne $want_rc ]]; then
    fail "$name: exit $rc, expected $want_rc; output: $out"
  elif [[ "$out" != *"$fragment"* ]]; then
    fail "$name: message lacks \"$fragment\": $out"
  else
    ok
  fi
}

tree_digest() { (cd "$work" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum; }

wallets="$work/wallets"
pw="$work/pw"
printf 'correct horse battery\n' > "$pw"
printf 'wrong horse battery\n' > "$work/wrong"

# --- a wallet to break things against (one encrypted coldkey: one ~3 s KDF)
"$covenant" wallet new-coldkey --wallet.path "$wallets" --wallet.name w \
  --password-file "$pw" --json > "$work/new.json" || fail "new-coldkey failed"
"$covenant" wallet new-hotkey --wallet.path "$wallets" --wallet.name w \
  --wallet.hotkey h --json > /dev/null || fail "new-hotkey failed"
before=$(tree_digest)

expect_fail "wrong password" 1 "wrong password" -- \
  wallet sign --wallet.path "$wallets" --wallet.name w --password-file "$work/wrong" --message hi
expect_fail "no terminal, no password" 1 "no terminal" -- \
  wallet sign --wallet.path "$wallets" --wallet.name w --message hi
expect_fail "existing coldkey kept" 1 "already exists" -- \
  wallet new-coldkey --wallet.path "$wallets" --wallet.name w --no-password
expect_fail "existing hotkey kept" 1 "already exists" -- \
  wallet regen-hotkey --wallet.path "$wallets" --wallet.name w --wallet.hotkey h \
  --mnemonic "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
[[ "$(tree_digest)" == "$before" ]] && ok || fail "a refused command changed the wallet files"

# --- corrupt and truncated keyfiles
cp -r "$wallets/w" "$wallets/broken"
head -c 40 "$wallets/w/hotkeys/h" > "$wallets/broken/hotkeys/h"
expect_fail "truncated keyfile" 1 "not valid JSON" -- \
  wallet sign --wallet.path "$wallets" --wallet.name broken --wallet.hotkey h --use-hotkey --message hi
head -c 60 "$wallets/w/coldkey" > "$wallets/broken/coldkey"
expect_fail "truncated encrypted keyfile" 1 "wrong password, or the keyfile is corrupt" -- \
  wallet sign --wallet.path "$wallets" --wallet.name broken --password-file "$pw" --message hi
printf '$NACL' > "$wallets/broken/coldkey"
expect_fail "header-only keyfile" 1 "truncated" -- \
  wallet sign --wallet.path "$wallets" --wallet.name broken --password-file "$pw" --message hi
printf 'gAAAAABfernet' > "$wallets/broken/coldkey"
expect_fail "fernet keyfile" 1 "Fernet" -- \
  wallet sign --wallet.path "$wallets" --wallet.name broken --password-file "$pw" --message hi
expect_fail "missing wallet" 1 "does not exist" -- \
  wallet sign --wallet.path "$wallets" --wallet.name nobody --message hi

# --- bad mnemonics, SS58 and URIs write nothing
fresh="$work/fresh"
expect_fail "mnemonic checksum" 1 "checksum" -- \
  wallet regen-coldkey --wallet.path "$fresh" --no-password \
  --mnemonic "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"
expect_fail "mnemonic unknown word" 1 "word 3" -- \
  wallet regen-coldkey --wallet.path "$fresh" --no-password \
  --mnemonic "bottom drive obeyy lake curtain smoke basket hold race lonely fit walk"
expect_fail "mnemonic word count" 1 "11" -- \
  wallet regen-coldkey --wallet.path "$fresh" --no-password \
  --mnemonic "bottom drive obey lake curtain smoke basket hold race lonely fit"
expect_fail "ss58 checksum" 1 "checksum" -- \
  wallet regen-coldkeypub --wallet.path "$fresh" --ss58-address 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ
expect_fail "ss58 other network" 1 "expected 42" -- \
  wallet regen-coldkeypub --wallet.path "$fresh" --ss58-address 15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5
expect_fail "ss58 not base58" 1 "not base58" -- \
  wallet regen-coldkeypub --wallet.path "$fresh" --ss58-address 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y
vectors=$(cd "$(dirname "$0")/../vectors" && pwd)
expect_fail "polkadot-js json wrong password" 1 "wrong password" -- \
  wallet regen-coldkey --wallet.path "$fresh" --no-password \
  --json-path "$vectors/polkadot_json_alice.json" --json-password-file "$work/wrong"
expect_fail "polkadot-js json not json" 1 "not valid JSON" -- \
  wallet regen-coldkey --wallet.path "$fresh" --no-password \
  --json-path "$pw" --json-password-file "$work/wrong"
expect_fail "two key sources" 2 "exactly one of" -- \
  wallet regen-coldkey --wallet.path "$fresh" --no-password --seed 0x00 --mnemonic "a b"
[[ ! -e "$fresh" ]] && ok || fail "a refused regen created $fresh"

expect_fail "suri empty junction" 1 "empty junction" -- wallet derive --suri "//Alice//"
expect_fail "suri bad phrase char" 1 "phrase may hold only" -- wallet derive --suri "bottom-drive//a"
expect_fail "suri bad seed" 1 "64 hex digits" -- wallet derive --suri "0x1234"
expect_fail "suri soft ed25519" 1 "only hard junctions" -- wallet derive --suri "//Alice/soft" --crypto ed25519
expect_fail "unknown crypto" 2 "--crypto must be" -- wallet derive --suri //Alice --crypto rsa
expect_fail "unknown option" 2 "unknown option --frobnicate" -- wallet derive --suri //Alice --frobnicate
expect_fail "bad signature hex" 1 "--signature" -- \
  wallet verify --suri //Alice --message hi --signature 0xzz

# --- transactions refuse bad amounts and addresses before touching a node
nowhere=(--url http://127.0.0.1:9 --suri //Alice --dry-run)
expect_fail "amount decimals" 2 "more than 9 decimals" -- \
  tx transfer "${nowhere[@]}" --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1.0000000001
expect_fail "amount text" 2 "number of TAO" -- \
  tx transfer "${nowhere[@]}" --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1,5
expect_fail "dest checksum" 1 "checksum" -- \
  tx transfer "${nowhere[@]}" --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694tz --amount 1
expect_fail "tx without netuid" 2 "--netuid is required" -- tx register "${nowhere[@]}"
expect_fail "bad ip" 2 "IPv4" -- tx serve "${nowhere[@]}" --netuid 1 --ip 300.1.1.1 --port 8091
expect_fail "unknown network" 2 "unknown network" -- chain info --network nosuchnet
expect_fail "wait mode" 2 "--wait must be" -- \
  tx transfer --url http://127.0.0.1:9 --suri //Alice --wait soon \
  --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1
expect_fail "weights count" 2 "--uids has 2 values but --weights 1" -- \
  tx set-weights "${nowhere[@]}" --netuid 1 --uids 0,1 --weights 5
expect_fail "weights range" 2 "70000 is over 65535" -- \
  tx set-weights "${nowhere[@]}" --netuid 1 --uids 0 --weights 70000
expect_fail "reveal needs salt" 2 "--salt is required" -- \
  tx reveal-weights "${nowhere[@]}" --netuid 1 --uids 0 --weights 5
expect_fail "no node" 1 "127.0.0.1:9" -- chain info --url http://127.0.0.1:9

# --- errors as JSON on stdout with --json
out=$("$covenant" wallet derive --suri "//" --json 2>/dev/null)
if python3 -c 'import json,sys; e=json.loads(sys.argv[1])["error"]; assert e["code"]=="parse error" and e["message"]' "$out" 2>/dev/null; then
  ok
else
  fail "--json error object: $out"
fi

# --- covenant sim: bad scenario files name the field and write no chart
sims="$work/sims"
mkdir -p "$sims"
scenario() { # NAME BODY-FIELDS: a small valid scenario with BODY-FIELDS added
  printf '{"neurons": [{"hotkey": "v", "stake": 10}, {"hotkey": "m"}]%s}\n' "$2" > "$sims/$1.json"
}
scenario ok ', "epochs": 2, "timeline": [{"block": 1, "event": "weights", "uid": 0, "weights": {"1": 1}}]'
scenario no_epochs ''
scenario kappa_type ', "epochs": 2, "hyperparameters": {"kappa": "high"}'
scenario weight_range ', "epochs": 2, "n": 8, "timeline": [{"block": 1, "event": "weights", "uid": 0, "weights": {"7": 70000}}]'
scenario unregistered ', "epochs": 2, "timeline": [{"block": 1, "event": "weights", "uid": 0, "weights": {"5": 1}}]'
scenario late ', "epochs": 2, "timeline": [{"block": 9000, "event": "stake", "uid": 0, "stake": 1}]'
printf '{"epochs": 2, "epochs": 3, "neurons": []}\n' > "$sims/dup.json"
printf '{"epochs": 2,\n "neurons": [}\n' > "$sims/broken.json"
expect_fail "sim missing field" 1 "epochs: missing" -- sim "$sims/no_epochs.json" --plot "$sims/a.svg"
expect_fail "sim wrong type" 1 "hyperparameters.kappa: must be an integer, got a string" -- \
  sim "$sims/kappa_type.json" --plot "$sims/a.svg"
expect_fail "sim weight out of range" 1 "timeline[0].weights.7: weight must be 0..65535, got 70000" -- \
  sim "$sims/weight_range.json" --csv
expect_fail "sim weight on a free uid" 1 "timeline[0].weights.5: uid 5 is not registered" -- \
  sim "$sims/unregistered.json"
expect_fail "sim event after the run" 1 "timeline[0]: block 9000 is after the run's last epoch" -- \
  sim "$sims/late.json"
expect_fail "sim duplicate key" 1 "duplicate" -- sim "$sims/dup.json"
expect_fail "sim not JSON" 1 "broken.json: not valid JSON: line 2" -- sim "$sims/broken.json"
expect_fail "sim missing file" 1 "nosuch.json" -- sim "$sims/nosuch.json"
expect_fail "sim names the file in a comparison" 1 "no_epochs.json: epochs: missing" -- \
  sim --compare "$sims/ok.json" "$sims/no_epochs.json" --plot "$sims/a.svg"
expect_fail "sim compare needs two files" 2 "needs two scenario files" -- sim --compare "$sims/ok.json"
expect_fail "sim one file" 2 "needs one scenario file" -- sim "$sims/ok.json" "$sims/ok.json"
expect_fail "sim json and csv" 2 "--json and --csv" -- sim "$sims/ok.json" --json --csv
expect_fail "sim plot into a missing folder" 1 "--plot $sims/nodir/a.svg" -- \
  sim "$sims/ok.json" --plot "$sims/nodir/a.svg"
[[ ! -e "$sims/a.svg" ]] && ok || fail "a refused sim wrote its --plot file"
out=$("$covenant" sim "$sims/ok.json" --plot "$sims/nodir/a.svg" 2>/dev/null)
[[ -z "$out" ]] && ok || fail "a sim whose plot failed printed a report: $out"
out=$("$covenant" sim "$sims/no_epochs.json" --json 2>/dev/null)
if python3 -c 'import json,sys; e=json.loads(sys.argv[1])["error"]; assert e["code"]=="parse error" and e["message"].endswith("epochs: missing (how many epochs to run)")' "$out" 2>/dev/null; then
  ok
else
  fail "sim --json error object: $out"
fi

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
