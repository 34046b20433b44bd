#!/usr/bin/env bash
# Starts `covenant train` data parallel on this machine's GPUs: one process
# per GPU, rank r on GPU r, rank 0 handing NCCL's id out over covenant's TCP
# rendezvous. Every process gets RANK, WORLD_SIZE, LOCAL_RANK (and
# CUDA_VISIBLE_DEVICES is left alone: rank r binds device r).
#
#   scripts/launch-train.sh [-n GPUS] [-a HOST:PORT] [-b COVENANT] -- TRAIN FLAGS...
#
#   -n GPUS        processes to start [every GPU nvidia-smi lists]
#   -a HOST:PORT   the rendezvous address [127.0.0.1:29517]
#   -b COVENANT    the program [build/cli/covenant]
#
# Example, 8 GPUs, the 124m model:
#   scripts/launch-train.sh -n 8 -- --model 124m --data data/ --steps 2000 \
#       --batch 16 --save run-124m/
#
# Several nodes: this script starts one node's processes only. Start them
# with mpirun instead (it sets OMPI_COMM_WORLD_RANK/SIZE/LOCAL_RANK, which
# covenant train reads), giving every process the same --dist-addr: the
# first node's address and a free port. NCCL then connects the nodes over
# its own transports (InfiniBand, sockets).
#
# Output: rank 0's lines on this terminal, every rank's in
# train-rank-R.log in the current folder. The launcher exits with the first
# non-zero exit status of a rank (and stops the others), else 0.
set -uo pipefail

gpus="" addr="127.0.0.1:29517" covenant="build/cli/covenant"
while getopts "n:a:b:h" opt; do
  case $opt in
    n) gpus=$OPTARG ;;
    a) addr=$OPTARG ;;
    b) covenant=$OPTARG ;;
    h) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "usage: $0 [-n GPUS] [-a HOST:PORT] [-b COVENANT] -- TRAIN FLAGS..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[[ ${1:-} == "--" ]] && shift

if [[ -z $gpus ]]; then
  if ! gpus=$(nvidia-smi --list-gpus 2>/dev/null | grep -c '^GPU'); then gpus=0; fi
fi
if ! [[ $gpus =~ ^[0-9]+$ ]] || [[ $gpus -lt 1 ]]; then
  echo "launch-train.sh: no GPU found (nvidia-smi); give -n GPUS, or run covenant train --device cpu" >&2
  exit 2
fi
if [[ ! -x $covenant ]]; then
  echo "launch-train.sh: $covenant is not a program; build first (scripts/build.sh) or give -b" >&2
  exit 2
fi

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap 'stop_all; exit 130' INT TERM

for ((r = 0; r < gpus; r++)); do
  log="train-rank-$r.log"
  if [[ $r -eq 0 ]]; then # on the terminal too; $! stays covenant's pid
    RANK=$r WORLD_SIZE=$gpus LOCAL_RANK=$r "$covenant" train --device cuda --dist-addr "$addr" \
      "$@" > >(tee "$log") 2>&1 &
  else
    RANK=$r WORLD_SIZE=$gpus LOCAL_RANK=$r "$covenant" train --device cuda --dist-addr "$addr" \
      "$@" > "$log" 2>&1 &
  fi
  pids+=($!)
done

# Whichever rank ends first: a failure stops the others (they would wait
# for it in NCCL until a timeout).
status=0 remaining=$gpus
declare -A finished=()
while [[ $remaining -gt 0 ]]; do
  for i in "${!pids[@]}"; do
    p=${pids[$i]}
    [[ -n ${finished[$i]:-} ]] && continue
    kill -0 "$p" 2>/dev/null && continue
    wait "$p"
    rc=$?
    finished[$i]=1
    remaining=$((remaining - 1))
    if [[ $rc -ne 0 && $status -eq 0 ]]; then
      status=$rc
      echo "launch-train.sh: rank $i exited with status $rc (see train-rank-$i.log); stopping the others" >&2
      stop_all
    fi
  done
  [[ $remaining -gt 0 ]] && sleep 0.5
done
exit $status
