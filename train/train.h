/* train/: the CPU reference of covenant's training core.
 *
 *   config.h      model shapes and presets
 *   tensor.h      named fp32 tensor views shared by the parts below
 *   checkpoint.h  safetensors + config.json checkpoints (Hugging Face Llama)
 *   data.h        token shards, Templar's sample assignment, batches, synthetic text
 *   rng_numpy.h   NumPy's SeedSequence, PCG64 and Generator.choice, bit-exact
 *   ops.h         the decoder's ops, forward and backward, on fp32 arrays
 *   model.h       the Llama-style model: parameters, forward, backward
 *   optim.h       AdamW, gradient clipping, the LR schedule
 *   sparseloco.h  SparseLoCo compression, the outer step
 *   pgrad.h       the compressed pseudo-gradient's wire format
 *   window.h      one node's window: inner steps, Δ, compression
 *   eval.h        the validator's losses before/after one peer's update
 *   steplog.h     step accounting: FLOPs per token, tokens/s, MFU
 *   rendezvous.h  the TCP rendezvous that hands out NCCL's unique id
 *
 * Every function returns a cov_status and fills a cov_err; nothing here
 * prints or exits. Ownership is stated next to each _new/_free pair. */
#ifndef COVENANT_TRAIN_TRAIN_H
#define COVENANT_TRAIN_TRAIN_H

#include "train/config.h"
#include "train/tensor.h"
#include "train/checkpoint.h"
#include "train/data.h"
#include "train/rng_numpy.h"
#include "train/ops.h"
#include "train/model.h"
#include "train/optim.h"
#include "train/sparseloco.h"
#include "train/pgrad.h"
#include "train/window.h"
#include "train/eval.h"
#include "train/steplog.h"
#include "train/rendezvous.h"

#endif
