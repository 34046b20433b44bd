/* Key type names as Substrate tools (subkey, btcli, polkadot-js) spell them. */
#include "wallet/wallet.h"

#include <string.h>

static const char *const type_names[] = {
    [COV_KEY_SR25519] = "sr25519",
    [COV_KEY_ED25519] = "ed25519",
    [COV_KEY_ECDSA] = "ecdsa",
};

const char *cov_key_type_name(cov_key_type type)
{
    if ((unsigned)type >= sizeof type_names / sizeof type_names[0])
        return "unknown";
    return type_names[type];
}

bool cov_key_type_parse(const char *name, cov_key_type *out)
{
    if (!name)
        return false;
    for (unsigned i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcmp(name, type_names[i]) == 0) {
            *out = (cov_key_type)i;
            return true;
        }
    }
    return false;
}
