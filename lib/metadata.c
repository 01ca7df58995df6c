/*
 * OCF 1.1 meta-data, generated with libxml2 from a program's parameter and
 * action tables, so that nothing about a parameter is written twice.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

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
    xmlNodePtr node = xmlNewTextChild(parent, NULL, X(name), X(text));

    if ((node != NULL) && (xmlNewProp(node, X("lang"), X("en")) == NULL)) {
        return NULL;
    }
    return node;
}

// Set an attribute if value is not NULL; false on allocation failure
static bool
set_prop(xmlNodePtr node, const char *name, const char *value)
{
    return (value == NULL) || (xmlNewProp(node, X(name), X(value)) != NULL);
}

static bool
add_parameter(xmlNodePtr parent, const struct myha_param *param)
{
    xmlNodePtr node = xmlNewChild(parent, NULL, X("parameter"), NULL);
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

    content = xmlNewChild(node, NULL, X("content"), NULL);
    ok = (content != NULL);
    ok = ok && set_prop(content, "type", content_types[param->type]);
    ok = ok && set_prop(content, "default", param->default_value);
    if (param->type == myha_param_select) {
        for (size_t i = 0; ok && (param->options[i] != NULL); i++) {
            xmlNodePtr option = xmlNewChild(content, NULL, X("option"), NULL);

            ok = (option != NULL)
                 && set_prop(option, "value", param->options[i]);
        }
    }
    return ok;
}

static bool
add_action(xmlNodePtr parent, const struct myha_action_meta *action)
{
    xmlNodePtr node = xmlNewChild(parent, NULL, X("action"), NULL);

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
 * \return 0 or ENOMEM
 */
int
myha_metadata_xml(const struct myha_agent_meta *meta, char **ret_xml)
{
    xmlDocPtr doc = xmlNewDoc(X("1.0"));
    xmlNodePtr root = NULL;
    xmlNodePtr node = NULL;
    xmlChar *text = NULL;
    int len = 0;
    int rc = ENOMEM;

    if (doc == NULL) {
        return ENOMEM;
    }
    // ocf-tester validates against this DTD (OCF 1.0) by name
    if (xmlCreateIntSubset(doc, X("resource-agent"), NULL, X("ra-api-1.dtd"))
        == NULL) {
        goto out_free_doc;
    }
    root = xmlNewDocNode(doc, NULL, X("resource-agent"), NULL);
    if (root == NULL) {
        goto out_free_doc;
    }
    xmlDocSetRootElement(doc, root);
    if (!set_prop(root, "name", meta->name)
        || !set_prop(root, "version", meta->version)
        || (xmlNewTextChild(root, NULL, X("version"), X("1.1")) == NULL)
        || (add_desc(root, "longdesc", meta->longdesc) == NULL)
        || (add_desc(root, "shortdesc", meta->shortdesc) == NULL)) {
        goto out_free_doc;
    }

    node = xmlNewChild(root, NULL, X("parameters"), NULL);
    if (node == NULL) {
        goto out_free_doc;
    }
    for (size_t i = 0; i < meta->n_params; i++) {
        if (!add_parameter(node, &meta->params[i])) {
            goto out_free_doc;
        }
    }

    node = xmlNewChild(root, NULL, X("actions"), NULL);
    if (node == NULL) {
        goto out_free_doc;
    }
    for (size_t i = 0; i < meta->n_actions; i++) {
        if (!add_action(node, &meta->actions[i])) {
            goto out_free_doc;
        }
    }

    xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
    if (text == NULL) {
        goto out_free_doc;
    }
    *ret_xml = strdup((const char *) text);
    rc = (*ret_xml == NULL) ? ENOMEM : 0;
    xmlFree(text);

out_free_doc:
    xmlFreeDoc(doc);
    return rc;
}
