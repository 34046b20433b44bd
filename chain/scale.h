/* Part of chain/chain.h: SCALE. Filled in by the SCALE work. */
#ifndef COVENANT_CHAIN_SCALE_H
#define COVENANT_CHAIN_SCALE_H
#include "common/common.h"
#endif
