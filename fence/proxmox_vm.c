/*
 * Proxmox VE guests (QEMU VMs and LXC containers) as fence plugs: found by
 * id or name across the cluster, their power state read from the node
 * that runs them, started and stopped.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <qb/qblog.h>

#include <myha/rc.h>
#include <myha/str.h>

#include "proxmox.h"

#define RESOURCES_PATH "/cluster/resources?type=vm"

/*!
 * \brief Free what a proxmox_vm holds
 *
 * \param[in,out] vm  Guest (may be NULL)
 */
void
proxmox_vm_release(struct proxmox_vm *vm)
{
    if (vm != NULL) {
        free(vm->node);
        free(vm->type);
        free(vm->name);
        memset(vm, 0, sizeof(*vm));
    }
}

static const char *
member_str(json_object *obj, const char *key)
{
    json_object *value = NULL;

    if (!json_object_object_get_ex(obj, key, &value)
        || !json_object_is_type(value, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(value);
}

static bool
member_int(json_object *obj, const char *key, long long *ret_value)
{
    json_object *value = NULL;

    if (!json_object_object_get_ex(obj, key, &value)) {
        return false;
    }
    if (json_object_is_type(value, json_type_int)) {
        *ret_value = json_object_get_int64(value);
        return true;
    }
    // Some Proxmox VE versions send numbers as strings
    return json_object_is_type(value, json_type_string)
           && (myha_str_to_ll(json_object_get_string(value), ret_value) == 0);
}

// A node name or guest type safe to put in a path as it is
static bool
is_path_word(const char *word)
{
    if ((word == NULL) || (*word == '\0')) {
        return false;
    }
    for (const char *p = word; *p != '\0'; p++) {
        if (!isalnum((unsigned char) *p) && (*p != '-') && (*p != '.')
            && (*p != '_')) {
            return false;
        }
    }
    return true;
}

static bool
is_vmid(const char *plug)
{
    long long id = 0;

    return (myha_str_to_ll(plug, &id) == 0) && (id > 0);
}

static enum myha_fence_power
status_power(const char *status)
{
    if (status == NULL) {
        return myha_fence_power_unknown;
    }
    if (strcmp(status, "running") == 0) {
        return myha_fence_power_on;
    }
    if (strcmp(status, "stopped") == 0) {
        return myha_fence_power_off;
    }
    return myha_fence_power_unknown;
}

static int
get_guests(struct proxmox_conn *conn, json_object **ret_list, char **ret_reason)
{
    json_object *list = NULL;
    int rc = proxmox_get(conn, RESOURCES_PATH, &list, ret_reason);

    if (rc != 0) {
        return rc;
    }
    if (!json_object_is_type(list, json_type_array)) {
        json_object_put(list);
        *ret_reason =
            myha_str_printf("answer to GET %s is not a list", RESOURCES_PATH);
        return EPROTO;
    }
    *ret_list = list;
    return 0;
}

/*!
 * \brief Find a guest by VM id or by name across the Proxmox VE cluster
 *
 * A plug made of digits is a VM id; anything else is a guest name, which
 * must match exactly one guest (templates are not guests to fence).  This
 * is what lets Pacemaker pass the node name as the plug.
 *
 * \param[in]  conn        Connection
 * \param[in]  plug        VM id or name
 * \param[out] ret_vm      On success, the guest (release with
 *                         proxmox_vm_release())
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0, ENOENT (no such guest), EEXIST (name not unique), or as
 *         proxmox_get()
 */
int
proxmox_vm_find(struct proxmox_conn *conn, const char *plug,
                struct proxmox_vm *ret_vm, char **ret_reason)
{
    json_object *list = NULL;
    json_object *found = NULL;
    size_t n_found = 0;
    bool by_id = is_vmid(plug);
    int rc = get_guests(conn, &list, ret_reason);

    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *guest = json_object_array_get_idx(list, i);
        const char *name = member_str(guest, "name");
        long long vmid = 0;
        long long template = 0;
        char *id_text = NULL;
        bool match = false;

        if (!member_int(guest, "vmid", &vmid)) {
            continue;
        }
        if (by_id) {
            id_text = myha_str_printf("%lld", vmid);
            match = (id_text != NULL) && (strcmp(id_text, plug) == 0);
            free(id_text);
        } else {
            match = (name != NULL) && (strcmp(name, plug) == 0)
                    && !(member_int(guest, "template", &template)
                         && (template != 0));
        }
        if (match) {
            found = guest;
            n_found++;
        }
    }
    if (n_found == 0) {
        *ret_reason = myha_str_printf(
            "no VM or container %s '%s' in the Proxmox VE cluster (or the "
            "user may not see it: it needs VM.Audit)",
            by_id ? "with id" : "named", plug);
        rc = ENOENT;
        goto out_put;
    }
    if (n_found > 1) {
        *ret_reason = myha_str_printf("%zu guests are named '%s': use the VM "
                                      "id as plug (pcmk_host_map)",
                                      n_found, plug);
        rc = EEXIST;
        goto out_put;
    }
    if (!is_path_word(member_str(found, "node"))
        || !is_path_word(member_str(found, "type"))) {
        *ret_reason = myha_str_printf("guest '%s' has no usable node or type "
                                      "in GET %s",
                                      plug, RESOURCES_PATH);
        rc = EPROTO;
        goto out_put;
    }
    memset(ret_vm, 0, sizeof(*ret_vm));
    member_int(found, "vmid", &ret_vm->vmid);
    ret_vm->node = strdup(member_str(found, "node"));
    ret_vm->type = strdup(member_str(found, "type"));
    if (member_str(found, "name") != NULL) {
        ret_vm->name = strdup(member_str(found, "name"));
    }
    if ((ret_vm->node == NULL) || (ret_vm->type == NULL)) {
        proxmox_vm_release(ret_vm);
        rc = ENOMEM;
    } else {
        qb_log(LOG_DEBUG, "'%s' is %s %lld on node '%s'", plug, ret_vm->type,
               ret_vm->vmid, ret_vm->node);
    }

out_put:
    json_object_put(list);
    return rc;
}

/*!
 * \brief List every guest of the cluster: id, name and power state
 *
 * \param[in]  conn        Connection
 * \param[in]  emit        Called once per guest
 * \param[in]  emit_data   Passed to emit
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0 or as proxmox_get()
 */
int
proxmox_vm_list(struct proxmox_conn *conn, myha_fence_list_fn_t emit,
                void *emit_data, char **ret_reason)
{
    json_object *list = NULL;
    int rc = get_guests(conn, &list, ret_reason);

    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *guest = json_object_array_get_idx(list, i);
        long long vmid = 0;
        long long template = 0;
        char *id_text = NULL;

        if (!member_int(guest, "vmid", &vmid)
            || (member_int(guest, "template", &template) && (template != 0))) {
            continue;
        }
        id_text = myha_str_printf("%lld", vmid);
        if (id_text == NULL) {
            rc = ENOMEM;
            break;
        }
        emit(emit_data, id_text, member_str(guest, "name"),
             status_power(member_str(guest, "status")));
        free(id_text);
    }
    json_object_put(list);
    return rc;
}

/*!
 * \brief Read a guest's power state from the node that runs it
 *
 * Uses /nodes/{node}/{type}/{vmid}/status/current, which is current, and
 * not /cluster/resources, which lags by up to the status update interval.
 *
 * \param[in]  conn        Connection
 * \param[in]  vm          Guest
 * \param[out] ret_power   On success, on (running), off (stopped) or
 *                         unknown
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0 or as proxmox_get()
 */
int
proxmox_vm_power(struct proxmox_conn *conn, const struct proxmox_vm *vm,
                 enum myha_fence_power *ret_power, char **ret_reason)
{
    char *path = myha_str_printf("/nodes/%s/%s/%lld/status/current", vm->node,
                                 vm->type, vm->vmid);
    json_object *data = NULL;
    int rc = 0;

    if (path == NULL) {
        return ENOMEM;
    }
    rc = proxmox_get(conn, path, &data, ret_reason);
    if (rc == 0) {
        const char *status = member_str(data, "status");

        *ret_power = status_power(status);
        qb_log(LOG_DEBUG, "%s %lld is %s", vm->type, vm->vmid,
               (status != NULL) ? status : "(no status)");
    }
    json_object_put(data);
    free(path);
    return rc;
}

/*!
 * \brief Start or stop (hard stop, not shutdown) a guest
 *
 * \param[in]  conn        Connection
 * \param[in]  vm          Guest
 * \param[in]  on          Start if true, else stop
 * \param[in]  skiplock    Pass skiplock=1 (Proxmox VE allows it to
 *                         root@pam only)
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0 or as proxmox_post()
 */
int
proxmox_vm_set_power(struct proxmox_conn *conn, const struct proxmox_vm *vm,
                     bool on, bool skiplock, char **ret_reason)
{
    char *path = myha_str_printf("/nodes/%s/%s/%lld/status/%s", vm->node,
                                 vm->type, vm->vmid, on ? "start" : "stop");
    json_object *data = NULL;
    int rc = 0;

    if (path == NULL) {
        return ENOMEM;
    }
    rc = proxmox_post(conn, path, skiplock ? "skiplock=1" : "", &data,
                      ret_reason);
    if (rc == 0) {
        qb_log(LOG_DEBUG, "%s %lld: task %s", vm->type, vm->vmid,
               json_object_is_type(data, json_type_string)
                   ? json_object_get_string(data)
                   : "(none)");
    }
    json_object_put(data);
    free(path);
    return rc;
}
