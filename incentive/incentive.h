/* incentive: how a subnet pays, as a pure library (no I/O, no printing).
 *
 * This is the module's one public header; it gathers the parts:
 *   yuma.h      Yuma consensus, bit-exact with subtensor's on-chain epoch
 *   weights.h   the bittensor SDK's weight processing and the chain's own
 *               checks on a weight submission
 *   scoring.h   the training subnet's validator scoring (OpenSkill,
 *               Gauntlet) and weight policy
 *   scenario.h  what-if scenarios for subnet owners, replayed epoch by epoch
 * Conventions are common/'s: cov_status + cov_err, caller-owned outputs,
 * a _free for every _new.
 */
#ifndef COVENANT_INCENTIVE_H
#define COVENANT_INCENTIVE_H

#include "common/common.h"
#include "incentive/yuma.h"
#include "incentive/weights.h"
#include "incentive/scoring.h"
#include "incentive/scenario.h"

#endif
