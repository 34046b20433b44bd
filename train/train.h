/* train/: the CPU reference of covenant's training core.
 *
 *   config.h      model shapes and presets
 *   tensor.h      named fp32 tensor views shared by the parts below
 *
 * Every function returns a cov_status and fills a cov_err; nothing here
 * prints or exits. Ownership is stated next to each _new/_free pair. */
#ifndef COVENANT_TRAIN_TRAIN_H
#define COVENANT_TRAIN_TRAIN_H

#include "train/config.h"
#include "train/tensor.h"

#endif
