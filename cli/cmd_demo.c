/* covenant demo: the local training round (node/round.c). Until the round
 * lands it runs the offline tour. */
#include "cli/cli.h"

int cli_demo_main(int argc, char **argv, bool json)
{
    return cli_tour_main(argc, argv, json);
}
