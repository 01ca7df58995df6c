/*
 * fence_proxmox's pieces: a Proxmox VE REST API client (proxmox_api.c)
 * and the virtual machines it fences (proxmox_vm.c).
 */
#ifndef MYHA_PROXMOX__H
#define MYHA_PROXMOX__H

#include <stdbool.h>

#include <json-c/json.h>

#include <myha/fence.h>

//! How to reach and authenticate to the API
struct proxmox_conn_opts {
    const char *host;     //!< Host name or address of a Proxmox VE node
    long long port;       //!< HTTPS port (8006)
    const char *username; //!< USER@REALM, or USER@REALM!TOKENID for a token
    const char *password; //!< Password, or the API token's secret
    const char *ca_file;  //!< CA bundle to verify the server with, or NULL
    bool insecure;        //!< Do not verify the server's certificate
    long long connect_timeout_ms; //!< Connection set-up limit
    long long timeout_ms;         //!< Limit for each request
};

struct proxmox_conn;

int proxmox_conn_new(const struct proxmox_conn_opts *copts,
                     struct proxmox_conn **ret_conn, char **ret_reason);
void proxmox_conn_free(struct proxmox_conn *conn);
int proxmox_get(struct proxmox_conn *conn, const char *path,
                json_object **ret_data, char **ret_reason);
int proxmox_post(struct proxmox_conn *conn, const char *path, const char *form,
                 json_object **ret_data, char **ret_reason);

//! A guest as /cluster/resources lists it
struct proxmox_vm {
    char *node; //!< Proxmox VE node it runs on
    char *type; //!< "qemu" or "lxc"
    long long vmid;
    char *name; //!< Its name (may be NULL)
};

void proxmox_vm_release(struct proxmox_vm *vm);
int proxmox_vm_find(struct proxmox_conn *conn, const char *plug,
                    struct proxmox_vm *ret_vm, char **ret_reason);
int proxmox_vm_list(struct proxmox_conn *conn, myha_fence_list_fn_t emit,
                    void *emit_data, char **ret_reason);
int proxmox_vm_power(struct proxmox_conn *conn, const struct proxmox_vm *vm,
                     enum myha_fence_power *ret_power, char **ret_reason);
int proxmox_vm_set_power(struct proxmox_conn *conn, const struct proxmox_vm *vm,
                         bool on, bool skiplock, char **ret_reason);

#endif // MYHA_PROXMOX__H
