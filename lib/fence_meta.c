/*
 * Fence agent meta-data in the fence-agents dialect (valid against
 * fence-agents' metadata.rng), generated from the agent's option table.
 * Plain text output: Pacemaker runs this as user hacluster on every node,
 * and it needs no library beyond libc.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/fence.h>

static const char *const content_types[] = {
    [myha_fence_string] = "string", [myha_fence_integer] = "integer",
    [myha_fence_second] = "second", [myha_fence_boolean] = "boolean",
    [myha_fence_select] = "select",
};

//! Actions advertised, in fence-agents' order and with their attributes
static const struct {
    const char *name;
    const char *attrs;
    bool needs_list;
} actions[] = {
    { "on", " automatic=\"0\"", false },
    { "off", "", false },
    { "reboot", "", false },
    { "status", "", false },
    { "list", "", true },
    { "list-status", "", true },
    { "monitor", "", false },
    { "metadata", "", false },
    { "manpage", "", false },
    { "validate-all", "", false },
};

// Write text with XML special characters escaped (attribute-safe)
static void
put_escaped(FILE *out, const char *text)
{
    for (const char *p = (text != NULL) ? text : ""; *p != '\0'; p++) {
        switch (*p) {
            case '&':
                fputs("&amp;", out);
                break;
            case '<':
                fputs("&lt;", out);
                break;
            case '>':
                fputs("&gt;", out);
                break;
            case '"':
                fputs("&quot;", out);
                break;
            default:
                fputc(*p, out);
                break;
        }
    }
}

// One <parameter>; name and attrs differ for an obsolete alias
static int
put_parameter(FILE *out, const struct myha_fence_opt *opt, const char *name,
              bool deprecated)
{
    char *getopt = myha_fence_opt_getopt(opt);

    if (getopt == NULL) {
        return ENOMEM;
    }
    fputs("\t<parameter name=\"", out);
    put_escaped(out, name);
    fprintf(out, "\" unique=\"0\" required=\"%d\"",
            ((opt->flags & myha_fence_required) != 0) ? 1 : 0);
    if (deprecated) {
        fputs(" deprecated=\"1\"", out);
    } else if (opt->obsolete != NULL) {
        fputs(" obsoletes=\"", out);
        put_escaped(out, opt->obsolete);
        fputs("\"", out);
    }
    fputs(">\n\t\t<getopt mixed=\"", out);
    put_escaped(out, getopt);
    fprintf(out, "\" />\n\t\t<content type=\"%s\"", content_types[opt->type]);
    if (opt->default_value != NULL) {
        fputs(" default=\"", out);
        put_escaped(out, opt->default_value);
        fputs("\"", out);
    }
    if (opt->type == myha_fence_select) {
        fputs(" >\n", out);
        for (size_t i = 0; opt->options[i] != NULL; i++) {
            fputs("\t\t\t<option value=\"", out);
            put_escaped(out, opt->options[i]);
            fputs("\" />\n", out);
        }
        fputs("\t\t</content>\n", out);
    } else {
        fputs(" />\n", out);
    }
    fputs("\t\t<shortdesc lang=\"en\">", out);
    put_escaped(out, opt->shortdesc);
    fputs("</shortdesc>\n\t</parameter>\n", out);
    free(getopt);
    return 0;
}

/*!
 * \brief Generate an agent's meta-data in the fence-agents dialect
 *
 * Each option with an obsolete name is listed twice, as fence-agents do:
 * under its name with obsoletes="old", and under the old name with
 * deprecated="1".
 *
 * \param[in]  agent    The agent and its option table
 * \param[out] ret_xml  On success, the XML document (caller frees)
 *
 * \return 0 or ENOMEM
 */
int
myha_fence_metadata_xml(const struct myha_fence_agent *agent, char **ret_xml)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    bool has_list = (agent->ops != NULL) && (agent->ops->list != NULL);
    int rc = 0;

    if (out == NULL) {
        return ENOMEM;
    }
    fputs("<?xml version=\"1.0\" ?>\n<resource-agent name=\"", out);
    put_escaped(out, agent->name);
    fputs("\" shortdesc=\"", out);
    put_escaped(out, agent->shortdesc);
    fputs("\" >\n<longdesc>", out);
    put_escaped(out, agent->longdesc);
    fputs("</longdesc>\n<vendor-url>", out);
    put_escaped(out, agent->vendor_url);
    fputs("</vendor-url>\n<parameters>\n", out);
    for (size_t i = 0; (rc == 0) && (i < agent->n_opts); i++) {
        const struct myha_fence_opt *opt = &agent->opts[i];

        rc = put_parameter(out, opt, opt->name, false);
        if ((rc == 0) && (opt->obsolete != NULL)) {
            rc = put_parameter(out, opt, opt->obsolete, true);
        }
    }
    fputs("</parameters>\n<actions>\n", out);
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (!actions[i].needs_list || has_list) {
            fprintf(out, "\t<action name=\"%s\"%s />\n", actions[i].name,
                    actions[i].attrs);
        }
    }
    fputs("</actions>\n</resource-agent>\n", out);
    if ((fclose(out) != 0) || (text == NULL)) {
        rc = ENOMEM;
    }
    if (rc != 0) {
        free(text);
        return rc;
    }
    *ret_xml = text;
    return 0;
}
