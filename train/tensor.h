/* A borrowed view of one named fp32 tensor: how model parameters, gradients
 * and pseudo-gradients are handed between train/'s parts (SparseLoCo,
 * checkpoints, the outer step) without copying. */
#ifndef COVENANT_TRAIN_TENSOR_H
#define COVENANT_TRAIN_TENSOR_H

#include <stddef.h>
#include <stdint.h>

/* Hugging Face Llama parameter names ("model.layers.0.mlp.up_proj.weight")
 * fit with room to spare. */
#define COV_TENSOR_NAME_MAX 96

typedef struct {
    char name[COV_TENSOR_NAME_MAX];
    int ndim;           /* 1 or 2 */
    int64_t shape[2];   /* row-major, PyTorch order: [out, in] for a Linear */
    size_t numel;
    float *data;        /* borrowed: owned by whoever produced the view */
} cov_tensor_view;

#endif
