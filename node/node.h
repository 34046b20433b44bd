/* node/: what a miner and a validator run.
 *
 *   round.h   a local round with no chain: miners train with SparseLoCo,
 *             a validator evaluates and scores them, a Yuma epoch pays out
 */
#ifndef COVENANT_NODE_NODE_H
#define COVENANT_NODE_NODE_H

#include "node/round.h"

#endif
