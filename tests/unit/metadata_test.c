/*
 * Unit tests for lib/metadata.c: the generated XML says what the tables say
 * and validates against the OCF 1.1 schema.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>

#include <myha/params.h>

static const char *const levels[] = { "low", "high", NULL };

static const struct myha_param table[] = {
    { .name = "path",
      .type = myha_param_string,
      .default_value = "/a&b",
      .flags = myha_param_required,
      .unique_group = "path",
      .shortdesc = "A path",
      .longdesc = "A path <with> markup & such." },
    { .name = "count",
      .type = myha_param_integer,
      .default_value = "3",
      .flags = myha_param_reloadable,
      .shortdesc = "Count",
      .longdesc = "How many." },
    { .name = "level",
      .type = myha_param_select,
      .default_value = "low",
      .options = levels,
      .shortdesc = "Level",
      .longdesc = "Which level." },
    { .name = "wait",
      .type = myha_param_duration,
      .default_value = "30s",
      .shortdesc = "Wait",
      .longdesc = "How long." },
    { .name = "on",
      .type = myha_param_boolean,
      .default_value = "true",
      .shortdesc = "On",
      .longdesc = "Whether." },
};

static const struct myha_action_meta actions[] = {
    { "start", "120s", NULL, NULL, NULL },
    { "monitor", "30s", "11s", "Unpromoted", "0" },
    { "monitor", "30s", "10s", "Promoted", "0" },
};

static const struct myha_agent_meta meta = {
    .name = "test-agent",
    .version = "9.9",
    .shortdesc = "Test",
    .longdesc = "Test agent.",
    .params = table,
    .n_params = sizeof(table) / sizeof(table[0]),
    .actions = actions,
    .n_actions = sizeof(actions) / sizeof(actions[0]),
};

static xmlDocPtr
generate(void)
{
    char *xml = NULL;
    xmlDocPtr doc = NULL;

    assert_int_equal(myha_metadata_xml(&meta, &xml), 0);
    doc = xmlReadMemory(xml, (int) strlen(xml), "meta.xml", NULL,
                        XML_PARSE_NONET);
    free(xml);
    assert_non_null(doc);
    return doc;
}

// Evaluate an XPath expression to a string (caller frees)
static char *
xpath_str(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *) expr, ctx);
    char *s = strdup((const char *) obj->stringval);

    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return s;
}

static void
assert_xpath(xmlDocPtr doc, const char *expr, const char *expected)
{
    char *s = xpath_str(doc, expr);

    assert_string_equal(s, expected);
    free(s);
}

static void
document_says_what_tables_say(void **state)
{
    xmlDocPtr doc = generate();

    assert_xpath(doc, "string(/resource-agent/@name)", "test-agent");
    assert_xpath(doc, "string(/resource-agent/version)", "1.1");
    assert_xpath(doc, "string(/resource-agent/shortdesc/@lang)", "en");
    assert_xpath(doc, "string(count(//parameter))", "5");
    assert_xpath(doc, "string(//parameter[@name='path']/@required)", "1");
    assert_xpath(doc, "string(//parameter[@name='path']/@unique-group)",
                 "path");
    assert_xpath(doc, "string(//parameter[@name='path']/content/@default)",
                 "/a&b");
    assert_xpath(doc, "string(//parameter[@name='path']/longdesc)",
                 "A path <with> markup & such.");
    assert_xpath(doc, "string(//parameter[@name='count']/@reloadable)", "1");
    assert_xpath(doc, "string(count(//parameter[@name='path']/@reloadable))",
                 "0");
    assert_xpath(doc, "string(//parameter[@name='count']/content/@type)",
                 "integer");
    assert_xpath(doc, "string(//parameter[@name='level']/content/@type)",
                 "select");
    assert_xpath(doc, "string(count(//parameter[@name='level']//option))", "2");
    assert_xpath(doc, "string(//parameter[@name='wait']/content/@type)",
                 "string");
    assert_xpath(doc, "string(//parameter[@name='on']/content/@type)",
                 "boolean");
    assert_xpath(doc, "string(//action[@role='Promoted']/@interval)", "10s");
    assert_xpath(doc, "string(//action[@role='Unpromoted']/@interval)", "11s");
    assert_xpath(doc, "string(//action[@name='start']/@timeout)", "120s");
    assert_xpath(doc, "string(count(//action[@name='start']/@interval))", "0");
    xmlFreeDoc(doc);
}

static void
document_validates_against_ocf_1_1(void **state)
{
    const char *rng = getenv("MYHA_TEST_OCF_RNG");
    xmlRelaxNGParserCtxtPtr pctx = NULL;
    xmlRelaxNGPtr schema = NULL;
    xmlRelaxNGValidCtxtPtr vctx = NULL;
    xmlDocPtr doc = generate();

    if (rng == NULL) {
        rng = "/usr/share/pcs/data/ocf-1.1.rng";
    }
    pctx = xmlRelaxNGNewParserCtxt(rng);
    schema = xmlRelaxNGParse(pctx);
    assert_non_null(schema);
    vctx = xmlRelaxNGNewValidCtxt(schema);
    assert_int_equal(xmlRelaxNGValidateDoc(vctx, doc), 0);
    xmlRelaxNGFreeValidCtxt(vctx);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctx);
    xmlFreeDoc(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(document_says_what_tables_say),
        cmocka_unit_test(document_validates_against_ocf_1_1),
    };
    int rc = cmocka_run_group_tests_name("metadata", tests, NULL, NULL);

    xmlCleanupParser();
    return rc;
}
