/*
 * OCF 1.1 meta-data, generated with libxml2 from a program's parameter and
 * action tables, so that nothing about a parameter is written twice.
 *
 * libxml2 is loaded with dlopen() when meta-data is asked for: as a link
 * dependency it (with ICU and libstdc++) costs every agent invocation about
 * 1 ms of start-up, a fifth of a monitor, for an action Pacemaker runs once
 * per agent and node.
 */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#define LIBXML2_SONAME "libxml2.so.2"

//! The libxml2 functions used here, resolved at run time
static struct {
    void *handle;
    xmlDocPtr (*new_doc)(const xmlChar *);
    xmlDtdPtr (*create_int_subset)(xmlDocPtr, const xmlChar *, const xmlChar *,
                                   const xmlChar *);
    xmlNodePtr (*new_doc_node)(xmlDocPtr, xmlNsPtr, const xmlChar *,
                               const xmlChar *);
    xmlNodePtr (*doc_set_root_element)(xmlDocPtr, xmlNodePtr);
    xmlAttrPtr (*new_prop)(xmlNodePtr, const xmlChar *, const xmlChar *);
    xmlNodePtr (*new_text_child)(xmlNodePtr, xmlNsPtr, const xmlChar *,
                                 const xmlChar *);
    xmlNodePtr (*new_child)(xmlNodePtr, xmlNsPtr, const xmlChar *,
                            const xmlChar *);
    void (*doc_dump_format_memory_enc)(xmlDocPtr, xmlChar **, int *,
                                       const char *, int);
    void (*free_doc)(xmlDocPtr);
    xmlFreeFunc *free; // xmlFree is a variable holding the function
} xml;

static const struct {
    const char *name;
    size_t offset;
} xml_symbols[] = {
    { "xmlNewDoc", offsetof(__typeof__(xml), new_doc) },
    { "xmlCreateIntSubset", offsetof(__typeof__(xml), create_int_subset) },
    { "xmlNewDocNode", offsetof(__typeof__(xml), new_doc_node) },
    { "xmlDocSetRootElement", offsetof(__typeof__(xml), doc_set_root_element) },
    { "xmlNewProp", offsetof(__typeof__(xml), new_prop) },
    { "xmlNewTextChild", offsetof(__typeof__(xml), new_text_child) },
    { "xmlNewChild", offsetof(__typeof__(xml), new_child) },
    { "xmlDocDumpFormatMemoryEnc",
      offsetof(__typeof__(xml), doc_dump_format_memory_enc) },
    { "xmlFreeDoc", offsetof(__typeof__(xml), free_doc) },
    { "xmlFree", offsetof(__typeof__(xml), free) },
};

// Load libxml2 once; ENOENT if it or one of its symbols is missing
static int
load_libxml2(void)
{
    if (xml.handle != NULL) {
        return 0;
    }
    xml.handle = dlopen(LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (xml.handle == NULL) {
        return ENOENT;
    }
    for (size_t i = 0; i < sizeof(xml_symbols) / sizeof(xml_symbols[0]); i++) {
        void *sym = dlsym(xml.handle, xml_symbols[i].name);

        if (sym == NULL) {
            dlclose(xml.handle);
            memset(&xml, 0, sizeof(xml));
            return ENOENT;
        }
        memcpy((char *) &xml + xml_symbols[i].offset, &sym, sizeof(sym));
    }
    return 0;
}

#include <myha/params.h>
#include <myha/rc.h>

static const char *const content_types[] = {
    [myha_param_string] = "string",
    [myha_param_integer] = "integer",
    [myha_param_boolean] = "boolean",
    // OCF 1.1 knows no duration type; Pacemaker's syntax is documented
    [myha_param_duration] = "string",
    [myha_param_select] = "select",
};

#define X(s) ((const xmlChar *) (s))

// Add <name lang="en">text</name> under parent; NULL on allocation failure
static xmlNodePtr
add_desc(xmlNodePtr parent, const char *name, const char *text)
{
    xmlNodePtr node = xml.new_text_child(parent, NULL, X(name), X(text));

    if ((node != NULL) && (xml.new_prop(node, X("lang"), X("en")) == NULL)) {
        return NULL;
    }
    return node;
}

// Set an attribute if value is not NULL; false on allocation failure
static bool
set_prop(xmlNodePtr node, const char *name, const char *value)
{
    return (value == NULL) || (xml.new_prop(node, X(name), X(value)) != NULL);
}

static bool
add_parameter(xmlNodePtr parent, const struct myha_param *param)
{
    xmlNodePtr node = xml.new_child(parent, NULL, X("parameter"), NULL);
    xmlNodePtr content = NULL;
    bool ok = (node != NULL);

    ok = ok && set_prop(node, "name", param->name);
    ok = ok && set_prop(node, "unique-group", param->unique_group);
    ok = ok
         && set_prop(node, "required",
                     ((param->flags & myha_param_required) != 0) ? "1" : "0");
    // Only when set: the OCF 1.0 DTD that ocf-tester uses does not know it
    if ((param->flags & myha_param_reloadable) != 0) {
        ok = ok && set_prop(node, "reloadable", "1");
    }
    ok = ok && (add_desc(node, "longdesc", param->longdesc) != NULL);
    ok = ok && (add_desc(node, "shortdesc", param->shortdesc) != NULL);
    if (!ok) {
        return false;
    }

    content = xml.new_child(node, NULL, X("content"), NULL);
    ok = (content != NULL);
    ok = ok && set_prop(content, "type", content_types[param->type]);
    ok = ok && set_prop(content, "default", param->default_value);
    if (param->type == myha_param_select) {
        for (size_t i = 0; ok && (param->options[i] != NULL); i++) {
            xmlNodePtr option = xml.new_child(content, NULL, X("option"), NULL);

            ok = (option != NULL)
                 && set_prop(option, "value", param->options[i]);
        }
    }
    return ok;
}

static bool
add_action(xmlNodePtr parent, const struct myha_action_meta *action)
{
    xmlNodePtr node = xml.new_child(parent, NULL, X("action"), NULL);

    return (node != NULL) && set_prop(node, "name", action->name)
           && set_prop(node, "timeout", action->timeout)
           && set_prop(node, "interval", action->interval)
           && set_prop(node, "role", action->role)
           && set_prop(node, "depth", action->depth);
}

/*!
 * \brief Generate an agent's OCF 1.1 meta-data
 *
 * \param[in]  meta     What the agent says about itself, its parameter
 *                      table and its actions
 * \param[out] ret_xml  On success, the XML document (caller frees)
 *
 * \return 0, ENOMEM, or ENOENT if libxml2 cannot be loaded
 */
int
myha_metadata_xml(const struct myha_agent_meta *meta, char **ret_xml)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root = NULL;
    xmlNodePtr node = NULL;
    xmlChar *text = NULL;
    int len = 0;
    int rc = load_libxml2();

    if (rc != 0) {
        return rc;
    }
    rc = ENOMEM;
    doc = xml.new_doc(X("1.0"));
    if (doc == NULL) {
        return ENOMEM;
    }
    // ocf-tester validates against this DTD (OCF 1.0) by name
    if (xml.create_int_subset(doc, X("resource-agent"), NULL, X("ra-api-1.dtd"))
        == NULL) {
        goto out_free_doc;
    }
    root = xml.new_doc_node(doc, NULL, X("resource-agent"), NULL);
    if (root == NULL) {
        goto out_free_doc;
    }
    xml.doc_set_root_element(doc, root);
    if (!set_prop(root, "name", meta->name)
        || !set_prop(root, "version", meta->version)
        || (xml.new_text_child(root, NULL, X("version"), X("1.1")) == NULL)
        || (add_desc(root, "longdesc", meta->longdesc) == NULL)
        || (add_desc(root, "shortdesc", meta->shortdesc) == NULL)) {
        goto out_free_doc;
    }

    node = xml.new_child(root, NULL, X("parameters"), NULL);
    if (node == NULL) {
        goto out_free_doc;
    }
    for (size_t i = 0; i < meta->n_params; i++) {
        if (!add_parameter(node, &meta->params[i])) {
            goto out_free_doc;
        }
    }

    node = xml.new_child(root, NULL, X("actions"), NULL);
    if (node == NULL) {
        goto out_free_doc;
    }
    for (size_t i = 0; i < meta->n_actions; i++) {
        if (!add_action(node, &meta->actions[i])) {
            goto out_free_doc;
        }
    }

    xml.doc_dump_format_memory_enc(doc, &text, &len, "UTF-8", 1);
    if (text == NULL) {
        goto out_free_doc;
    }
    *ret_xml = strdup((const char *) text);
    rc = (*ret_xml == NULL) ? ENOMEM : 0;
    (*xml.free)(text);

out_free_doc:
    xml.free_doc(doc);
    return rc;
}
