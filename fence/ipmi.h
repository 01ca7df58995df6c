/*
 * fence_ipmi's BMC client (ipmi_bmc.c): one IPMI LAN session through
 * FreeIPMI's C library, chassis power state and control.
 */
#ifndef MYHA_IPMI__H
#define MYHA_IPMI__H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <myha/fence.h>

//! How to reach and authenticate to a BMC
struct ipmi_bmc_opts {
    const char *host;             //!< Host name or address of the BMC
    long long port;               //!< UDP port (623)
    const char *username;         //!< User name ("" for the anonymous user)
    const char *password;         //!< Password, or NULL for none
    const unsigned char *k_g;     //!< BMC key (IPMI 2.0), or NULL
    size_t k_g_len;               //!< Bytes in k_g
    bool lanplus;                 //!< IPMI 2.0 (RMCP+) rather than IPMI 1.5
    uint8_t cipher;               //!< IPMI 2.0 cipher suite id
    uint8_t privilege;            //!< IPMI_PRIVILEGE_LEVEL_*
    uint8_t auth_type;            //!< IPMI 1.5: IPMI_AUTHENTICATION_TYPE_*
    long long session_timeout_ms; //!< Session set-up limit
    long long retransmission_timeout_ms; //!< Wait before resending a packet
};

struct ipmi_bmc;

int ipmi_bmc_new(const struct ipmi_bmc_opts *bopts, struct ipmi_bmc **ret_bmc,
                 char **ret_reason);
void ipmi_bmc_free(struct ipmi_bmc *bmc);
int ipmi_bmc_power(struct ipmi_bmc *bmc, enum myha_fence_power *ret_power,
                   char **ret_reason);
int ipmi_bmc_set_power(struct ipmi_bmc *bmc, bool on, char **ret_reason);

#endif // MYHA_IPMI__H
