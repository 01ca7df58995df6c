/*
 * myhactl: what it learns from and changes in Pacemaker, through its own
 * tools (cibadmin, crm_resource, crm_node) run without a shell.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>

#include "myhactl.h"

//! Most milliseconds a cluster tool may take
#define TOOL_TIMEOUT_MS (60 * 1000)

/*!
 * \brief Run a program, capturing its output
 *
 * \param[in]  argv        Program and arguments, NULL-terminated
 * \param[out] ret_stdout  Its stdout (may be NULL; caller frees)
 * \param[out] ret_stderr  Its stderr (may be NULL; caller frees)
 *
 * \return 0 if it exited with status 0, else a myha result code
 */
int
myhactl_run(const char *const *argv, char **ret_stdout, char **ret_stderr)
{
    struct myha_spawn_opts opts = {
        .argv = argv,
        // A Ctrl-C is for myhactl, which then restores what it changed
        .new_session = true,
        .out = myha_spawn_out_capture,
        .err = myha_spawn_out_capture,
    };
    struct myha_child_status cs;

    return myha_spawn_run(&opts, TOOL_TIMEOUT_MS, &cs, ret_stdout, ret_stderr);
}

// Strip trailing white space in place
static void
chomp(char *text)
{
    size_t n = (text == NULL) ? 0 : strlen(text);

    while ((n > 0)
           && ((text[n - 1] == '\n') || (text[n - 1] == ' ')
               || (text[n - 1] == '\r') || (text[n - 1] == '\t'))) {
        text[--n] = '\0';
    }
}

// An id safe to put between quotes in an XPath expression
static bool
is_id_valid(const char *id)
{
    return (*id != '\0')
           && (strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789_.:-")
               == strlen(id));
}

static char *
xml_attr(xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *) name);
    char *copy = NULL;

    if (v != NULL) {
        copy = strdup((const char *) v);
        xmlFree(v);
    }
    return copy;
}

static bool
is_element(const xmlNode *node, const char *name)
{
    return (node->type == XML_ELEMENT_NODE)
           && (strcmp((const char *) node->name, name) == 0);
}

// Whether an attribute set has a rule (it applies only sometimes: skipped)
static bool
has_rule(xmlNode *set)
{
    for (xmlNode *c = set->children; c != NULL; c = c->next) {
        if (is_element(c, "rule")) {
            return true;
        }
    }
    return false;
}

// Read the primitive's class, agent and unconditional instance attributes
static int
rsc_from_primitive(xmlNode *prim, struct myhactl_rsc *rsc, char **ret_err)
{
    char *klass = xml_attr(prim, "class");
    size_t n = 0;
    int rc = 0;

    rsc->provider = xml_attr(prim, "provider");
    rsc->type = xml_attr(prim, "type");
    if ((klass == NULL) || (strcmp(klass, "ocf") != 0)
        || (rsc->provider == NULL) || (rsc->type == NULL)) {
        *ret_err =
            myha_str_printf("resource '%s' is not an OCF resource", rsc->id);
        free(klass);
        return myha_rc_invalid;
    }
    free(klass);
    for (xmlNode *set = prim->children; set != NULL; set = set->next) {
        if (!is_element(set, "instance_attributes") || has_rule(set)) {
            continue;
        }
        for (xmlNode *nv = set->children; nv != NULL; nv = nv->next) {
            n += is_element(nv, "nvpair");
        }
    }
    rsc->params = calloc(n + 1, sizeof(*rsc->params));
    if (rsc->params == NULL) {
        return ENOMEM;
    }
    for (xmlNode *set = prim->children; set != NULL; set = set->next) {
        if (!is_element(set, "instance_attributes") || has_rule(set)) {
            continue;
        }
        for (xmlNode *nv = set->children; nv != NULL; nv = nv->next) {
            struct myhactl_nvpair *p = &rsc->params[rsc->n_params];

            if (!is_element(nv, "nvpair")) {
                continue;
            }
            p->name = xml_attr(nv, "name");
            p->value = xml_attr(nv, "value");
            rsc->n_params++;
            if ((p->name == NULL) || (p->value == NULL)) {
                rc = ENOMEM;
            }
        }
    }
    return rc;
}

// cibadmin --query --xpath EXPR, parsed
static int
cib_query(const char *xpath, xmlDoc **ret_doc)
{
    const char *argv[] = { "cibadmin", "--query", "--xpath", xpath, NULL };
    char *out = NULL;
    xmlDoc *doc = NULL;
    int rc = myhactl_run(argv, &out, NULL);

    if (rc == 0) {
        doc = xmlReadMemory(out, (int) strlen(out), "cib.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOBLANKS);
        rc = (doc == NULL) ? myha_rc_invalid : 0;
    }
    free(out);
    if (rc == 0) {
        *ret_doc = doc;
    }
    return rc;
}

/*!
 * \brief Read a primitive resource (and its clone) from the CIB
 *
 * \param[in]  id       Primitive resource id
 * \param[out] ret_rsc  The resource (on success; free with
 *                      myhactl_rsc_free())
 * \param[out] ret_err  On failure, an allocated message (caller frees)
 *
 * \return 0 or a myha result code
 */
int
myhactl_rsc_get(const char *id, struct myhactl_rsc **ret_rsc, char **ret_err)
{
    struct myhactl_rsc *rsc = NULL;
    xmlDoc *doc = NULL;
    xmlNode *root = NULL;
    xmlNode *prim = NULL;
    char *xpath = NULL;
    int rc = 0;

    if (!is_id_valid(id)) {
        *ret_err = myha_str_printf("invalid resource id '%s'", id);
        return myha_rc_invalid;
    }
    rsc = calloc(1, sizeof(*rsc));
    xpath = myha_str_printf("//clone[primitive[@id='%s']]", id);
    if ((rsc == NULL) || (xpath == NULL) || ((rsc->id = strdup(id)) == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    if (cib_query(xpath, &doc) != 0) {
        free(xpath);
        xpath = myha_str_printf("//primitive[@id='%s']", id);
        if ((xpath == NULL) || (cib_query(xpath, &doc) != 0)) {
            *ret_err = myha_str_printf("resource '%s' is not in the CIB "
                                       "(cibadmin --query --xpath \"%s\")",
                                       id, (xpath == NULL) ? "" : xpath);
            rc = myha_rc_invalid;
            goto out_free;
        }
    }
    root = xmlDocGetRootElement(doc);
    if ((root != NULL) && is_element(root, "clone")) {
        rsc->clone_id = xml_attr(root, "id");
        for (xmlNode *c = root->children; c != NULL; c = c->next) {
            if (is_element(c, "primitive")) {
                prim = c;
            }
        }
    } else if ((root != NULL) && is_element(root, "primitive")) {
        prim = root;
    }
    if (prim == NULL) {
        *ret_err =
            myha_str_printf("unexpected CIB answer for resource '%s'", id);
        rc = myha_rc_invalid;
        goto out_free;
    }
    rc = rsc_from_primitive(prim, rsc, ret_err);

out_free:
    xmlFreeDoc(doc);
    free(xpath);
    if (rc == 0) {
        *ret_rsc = rsc;
    } else {
        myhactl_rsc_free(rsc);
    }
    return rc;
}

/*!
 * \brief Free a resource from myhactl_rsc_get()
 *
 * \param[in,out] rsc  Resource (may be NULL)
 */
void
myhactl_rsc_free(struct myhactl_rsc *rsc)
{
    if (rsc == NULL) {
        return;
    }
    for (size_t i = 0; i < rsc->n_params; i++) {
        free(rsc->params[i].name);
        free(rsc->params[i].value);
    }
    free(rsc->params);
    free(rsc->id);
    free(rsc->clone_id);
    free(rsc->provider);
    free(rsc->type);
    free(rsc);
}

/*!
 * \brief Name of the node this runs on, as the cluster knows it
 *
 * \param[out] ret_node  Node name (on success; caller frees)
 * \param[out] ret_err   On failure, an allocated message (caller frees)
 *
 * \return 0 or a myha result code
 */
int
myhactl_local_node(char **ret_node, char **ret_err)
{
    const char *argv[] = { "crm_node", "-n", NULL };
    char *out = NULL;
    char *err = NULL;
    int rc = myhactl_run(argv, &out, &err);

    chomp(out);
    chomp(err);
    if ((rc == 0) && (out != NULL) && (*out != '\0')) {
        *ret_node = out;
        free(err);
        return 0;
    }
    *ret_err = myha_str_printf(
        "cannot find the local node name (crm_node "
        "-n): %s",
        ((err != NULL) && (*err != '\0')) ? err : myha_rc_str(rc));
    free(out);
    free(err);
    return (rc == 0) ? myha_rc_invalid : rc;
}

/*!
 * \brief Read a meta-attribute of a resource
 *
 * \param[in]  rsc        Resource id
 * \param[in]  name       Meta-attribute name
 * \param[out] ret_value  Its value, NULL when not set (caller frees)
 *
 * \return 0 (set or not), or a myha result code
 */
int
myhactl_meta_get(const char *rsc, const char *name, char **ret_value)
{
    const char *argv[] = { "crm_resource",    "--resource", rsc,       "--meta",
                           "--get-parameter", name,         "--quiet", NULL };
    char *out = NULL;
    char *err = NULL;
    int rc = myhactl_run(argv, &out, &err);

    chomp(out);
    if ((rc == 0) && (out != NULL) && (*out != '\0')) {
        *ret_value = out;
        out = NULL;
    } else if ((rc == myha_rc_child_failed) && (err != NULL)
               && (strstr(err, "not found") != NULL)) {
        *ret_value = NULL; // not set
        rc = 0;
    } else if (rc == 0) {
        *ret_value = NULL;
    }
    free(out);
    free(err);
    return rc;
}

/*!
 * \brief Set, or delete, a meta-attribute of a resource
 *
 * \param[in]  rsc      Resource id
 * \param[in]  name     Meta-attribute name
 * \param[in]  value    New value, or NULL to delete it
 * \param[out] ret_err  On failure, an allocated message (caller frees)
 *
 * \return 0 or a myha result code
 */
int
myhactl_meta_set(const char *rsc, const char *name, const char *value,
                 char **ret_err)
{
    const char *set[] = {
        "crm_resource", "--resource",        rsc,   "--meta", "--set-parameter",
        name,           "--parameter-value", value, NULL
    };
    const char *del[] = { "crm_resource",       "--resource", rsc, "--meta",
                          "--delete-parameter", name,         NULL };
    char *err = NULL;
    int rc = myhactl_run((value == NULL) ? del : set, NULL, &err);

    chomp(err);
    if (rc != 0) {
        *ret_err = myha_str_printf(
            "crm_resource could not %s meta-attribute "
            "'%s' of '%s': %s",
            (value == NULL) ? "delete" : "set", name, rsc,
            ((err != NULL) && (*err != '\0')) ? err : myha_rc_str(rc));
    }
    free(err);
    return rc;
}
