/* Shared by checkpoint_*.c only. */
#ifndef COVENANT_TRAIN_CHECKPOINT_INTERNAL_H
#define COVENANT_TRAIN_CHECKPOINT_INTERNAL_H

#include "train/checkpoint.h"

/* config.json text for cfg (malloc'd, free() it); ids from the metadata. */
cov_status ckpt_config_json(char **out, const cov_model_config *cfg, long long bos_id,
                            long long eos_id, cov_err *err);

/* Whether the views are exactly the layout (same names, same shapes; any
 * order, each once). `what` names them in errors ("tensors given"). */
cov_status ckpt_match_layout(const cov_model_config *cfg, const cov_tensor_view *views, size_t n,
                             const char *what, cov_err *err);

/* dir + "/" + leaf into out (size cap); false if it does not fit. */
bool ckpt_path(char *out, size_t cap, const char *dir, const char *leaf);

#endif
