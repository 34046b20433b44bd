/* btcli's --network names, as HTTP(S) URLs. The SDK connects over
 * WebSocket (wss://host:443); a Substrate node answers JSON-RPC over plain
 * HTTP POST on the same port, which is all this client needs. */
#include "chain/rpc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    const char *url;
} networks[] = {
    {"finney", "https://entrypoint-finney.opentensor.ai:443"},
    {"test", "https://test.finney.opentensor.ai:443"},
    {"archive", "https://archive.chain.opentensor.ai:443"},
    {"local", "http://127.0.0.1:9944"},
    {"latent-lite", "https://lite.sub.latent.to:443"},
};

const char *cov_rpc_network_url(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof networks / sizeof networks[0]; i++)
        if (strcmp(name, networks[i].name) == 0)
            return networks[i].url;
    return NULL;
}

cov_status cov_rpc_endpoint(char *out, size_t out_size, const char *name_or_url,
                            cov_err *err)
{
    if (!out || out_size == 0 || !name_or_url)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_endpoint: no input or output");
    out[0] = '\0';
    const char *known = cov_rpc_network_url(name_or_url);
    const char *scheme = NULL, *rest = NULL;
    if (known) {
        scheme = "";
        rest = known;
    } else if (strncasecmp(name_or_url, "ws://", 5) == 0) {
        scheme = "http://";
        rest = name_or_url + 5;
    } else if (strncasecmp(name_or_url, "wss://", 6) == 0) {
        scheme = "https://";
        rest = name_or_url + 6;
    } else if (strncasecmp(name_or_url, "http://", 7) == 0 ||
               strncasecmp(name_or_url, "https://", 8) == 0) {
        scheme = "";
        rest = name_or_url;
    } else {
        return cov_fail(err, COV_ERR_ARG,
                        "unknown network '%.64s': use finney, test, archive, local, "
                        "latent-lite or a URL (http://, https://, ws://, wss://)",
                        name_or_url);
    }
    if (!*rest || (rest != known && strchr(rest, '/') == rest))
        return cov_fail(err, COV_ERR_ARG, "'%.64s' names no host", name_or_url);
    int n = snprintf(out, out_size, "%s%s", scheme, rest);
    if (n < 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return cov_fail(err, COV_ERR_ARG, "network URL longer than %zu bytes",
                        out_size - 1);
    }
    return COV_OK;
}
