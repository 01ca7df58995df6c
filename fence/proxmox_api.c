/*
 * Proxmox VE REST API client over HTTPS (libcurl, json-c): API-token or
 * ticket + CSRF authentication, TLS verification on unless ssl_insecure,
 * and one error message per failure that says what to fix.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <qb/qblog.h>

#include <myha/rc.h>
#include <myha/str.h>

#include "proxmox.h"

//! Largest answer accepted (a /cluster/resources of a big cluster fits)
#define BODY_MAX (32 * 1024 * 1024)

struct proxmox_conn {
    CURL *curl;
    char *base_url;             //!< https://host:port/api2/json
    char *where;                //!< host:port, for messages
    char *username;             //!< For messages
    struct curl_slist *headers; //!< Authorization or CSRFPreventionToken
    char *cookie;               //!< PVEAuthCookie=… (ticket mode)
    char *body;                 //!< Answer being received
    size_t body_len;
    bool body_too_big;
    char *status_line;            //!< "HTTP/1.1 500 VM 100 not running"
    char errbuf[CURL_ERROR_SIZE]; // libcurl's fixed-size error buffer
};

static void
wipe_free(char *text)
{
    if (text != NULL) {
        explicit_bzero(text, strlen(text));
        free(text);
    }
}

static void
wipe_slist(struct curl_slist *list)
{
    for (struct curl_slist *item = list; item != NULL; item = item->next) {
        explicit_bzero(item->data, strlen(item->data));
    }
    curl_slist_free_all(list);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct proxmox_conn *conn = userdata;
    size_t len = size * nmemb;
    char *more = NULL;

    if (conn->body_len + len > BODY_MAX) {
        conn->body_too_big = true;
        return 0;
    }
    more = malloc(conn->body_len + len + 1);
    if (more == NULL) {
        return 0;
    }
    if (conn->body != NULL) {
        memcpy(more, conn->body, conn->body_len);
        wipe_free(conn->body); // the ticket answer holds a secret
    }
    memcpy(more + conn->body_len, data, len);
    conn->body_len += len;
    more[conn->body_len] = '\0';
    conn->body = more;
    return len;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct proxmox_conn *conn = userdata;
    size_t len = size * nmemb;

    // Proxmox VE puts its error message in the reason phrase
    if ((len > 5) && (strncmp(data, "HTTP/", 5) == 0)) {
        char *line = strndup(data, len);

        if (line != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            free(conn->status_line);
            conn->status_line = line;
        }
    }
    return len;
}

// The reason phrase of the last answer, or ""
static const char *
reason_phrase(const struct proxmox_conn *conn)
{
    const char *p = conn->status_line;

    if (p == NULL) {
        return "";
    }
    p = strchr(p, ' '); // after the version
    if (p != NULL) {
        p = strchr(p + 1, ' '); // after the code
    }
    return (p != NULL) ? p + 1 : "";
}

// Text of the "errors" member of an error answer (parameter errors), or NULL
static char *
answer_errors(const struct proxmox_conn *conn)
{
    json_object *root = NULL;
    json_object *errors = NULL;
    char *text = NULL;

    if (conn->body == NULL) {
        return NULL;
    }
    root = json_tokener_parse(conn->body);
    if ((root != NULL) && json_object_object_get_ex(root, "errors", &errors)
        && (json_object_get_type(errors) == json_type_object)) {
        text = strdup(
            json_object_to_json_string_ext(errors, JSON_C_TO_STRING_PLAIN));
    }
    json_object_put(root);
    return text;
}

static int
curl_failure(const struct proxmox_conn *conn, CURLcode code, char **ret_reason)
{
    const char *detail =
        (conn->errbuf[0] != '\0') ? conn->errbuf : curl_easy_strerror(code);

    switch (code) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CONNECT_ERROR:
            *ret_reason = myha_str_printf(
                "TLS with Proxmox VE API at '%s' failed: %s (set ssl_ca_file "
                "to the CA that signed its certificate, or ssl_insecure)",
                conn->where, detail);
            return EPROTO;
        case CURLE_OPERATION_TIMEDOUT:
            *ret_reason = myha_str_printf("no answer from Proxmox VE API at "
                                          "'%s' in time: %s",
                                          conn->where, detail);
            return ETIMEDOUT;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
            *ret_reason = myha_str_printf("cannot reach Proxmox VE API at "
                                          "'%s': %s",
                                          conn->where, detail);
            return ECONNREFUSED;
        default:
            *ret_reason = myha_str_printf("request to Proxmox VE API at '%s' "
                                          "failed: %s",
                                          conn->where, detail);
            return EIO;
    }
}

static int
http_failure(const struct proxmox_conn *conn, const char *method,
             const char *path, long code, char **ret_reason)
{
    char *errors = answer_errors(conn);
    const char *phrase = reason_phrase(conn);
    int rc = EIO;

    if (code == 401) {
        *ret_reason = myha_str_printf(
            "authentication of '%s' at Proxmox VE API '%s' failed (HTTP 401 "
            "%s): check username and password or API token",
            conn->username, conn->where, phrase);
        rc = EACCES;
    } else if (code == 403) {
        *ret_reason = myha_str_printf(
            "permission denied to '%s' for %s %s (HTTP 403 %s): grant it "
            "VM.Audit and VM.PowerMgmt",
            conn->username, method, path, phrase);
        rc = EPERM;
    } else {
        *ret_reason = myha_str_printf(
            "Proxmox VE API at '%s' refused %s %s: HTTP %ld %s%s%s",
            conn->where, method, path, code, phrase,
            (errors != NULL) ? " " : "", (errors != NULL) ? errors : "");
    }
    free(errors);
    return rc;
}

static int
request(struct proxmox_conn *conn, const char *method, const char *path,
        const char *form, json_object **ret_data, char **ret_reason)
{
    char *url = myha_str_printf("%s%s", conn->base_url, path);
    json_object *root = NULL;
    json_object *data = NULL;
    long code = 0;
    CURLcode cc = CURLE_OK;
    int rc = 0;

    if (url == NULL) {
        return ENOMEM;
    }
    wipe_free(conn->body);
    conn->body = NULL;
    conn->body_len = 0;
    conn->body_too_big = false;
    free(conn->status_line);
    conn->status_line = NULL;
    conn->errbuf[0] = '\0';

    curl_easy_setopt(conn->curl, CURLOPT_URL, url);
    if (form != NULL) {
        curl_easy_setopt(conn->curl, CURLOPT_POSTFIELDS, form);
    } else {
        curl_easy_setopt(conn->curl, CURLOPT_HTTPGET, 1L);
    }
    cc = curl_easy_perform(conn->curl);
    curl_easy_setopt(conn->curl, CURLOPT_POSTFIELDS, NULL);
    if (conn->body_too_big) {
        *ret_reason = myha_str_printf("answer of Proxmox VE API at '%s' to "
                                      "%s %s is too large",
                                      conn->where, method, path);
        rc = EMSGSIZE;
        goto out_free;
    }
    if (cc != CURLE_OK) {
        rc = curl_failure(conn, cc, ret_reason);
        goto out_free;
    }
    curl_easy_getinfo(conn->curl, CURLINFO_RESPONSE_CODE, &code);
    qb_log(LOG_DEBUG, "%s %s: HTTP %ld", method, path, code);
    if (code != 200) {
        rc = http_failure(conn, method, path, code, ret_reason);
        goto out_free;
    }
    root = (conn->body != NULL) ? json_tokener_parse(conn->body) : NULL;
    if ((root == NULL) || !json_object_object_get_ex(root, "data", &data)) {
        *ret_reason = myha_str_printf("answer of Proxmox VE API at '%s' to "
                                      "%s %s is not JSON with a data member",
                                      conn->where, method, path);
        rc = EPROTO;
        goto out_free;
    }
    *ret_data = json_object_get(data);

out_free:
    json_object_put(root);
    free(url);
    return rc;
}

/*!
 * \brief GET an API path
 *
 * \param[in]  conn        Connection
 * \param[in]  path        Path under /api2/json, with query ("/nodes")
 * \param[out] ret_data    On success, the answer's "data" member (release
 *                         with json_object_put())
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0, EACCES (401), EPERM (403), EIO (other HTTP errors), EPROTO
 *         (TLS or answer format), ETIMEDOUT, ECONNREFUSED, or ENOMEM
 */
int
proxmox_get(struct proxmox_conn *conn, const char *path, json_object **ret_data,
            char **ret_reason)
{
    return request(conn, "GET", path, NULL, ret_data, ret_reason);
}

/*!
 * \brief POST to an API path
 *
 * \param[in]  conn        Connection
 * \param[in]  path        Path under /api2/json
 * \param[in]  form        application/x-www-form-urlencoded body ("" for
 *                         none)
 * \param[out] ret_data    On success, the answer's "data" member (release
 *                         with json_object_put())
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return As proxmox_get()
 */
int
proxmox_post(struct proxmox_conn *conn, const char *path, const char *form,
             json_object **ret_data, char **ret_reason)
{
    return request(conn, "POST", path, (form != NULL) ? form : "", ret_data,
                   ret_reason);
}

// Append a header to the connection's list; 0 or ENOMEM
static int
add_header(struct proxmox_conn *conn, char *header)
{
    struct curl_slist *list = NULL;

    if (header == NULL) {
        return ENOMEM;
    }
    list = curl_slist_append(conn->headers, header);
    wipe_free(header);
    if (list == NULL) {
        return ENOMEM;
    }
    conn->headers = list;
    return 0;
}

// Ticket authentication: POST /access/ticket, keep cookie and CSRF token
static int
login_ticket(struct proxmox_conn *conn, const struct proxmox_conn_opts *copts,
             char **ret_reason)
{
    char *user = curl_easy_escape(conn->curl, copts->username, 0);
    char *pass = curl_easy_escape(conn->curl, copts->password, 0);
    char *form = NULL;
    json_object *data = NULL;
    json_object *ticket = NULL;
    json_object *csrf = NULL;
    int rc = ENOMEM;

    if ((user == NULL) || (pass == NULL)) {
        goto out_free;
    }
    form = myha_str_printf("username=%s&password=%s", user, pass);
    if (form == NULL) {
        goto out_free;
    }
    rc = proxmox_post(conn, "/access/ticket", form, &data, ret_reason);
    if (rc != 0) {
        goto out_free;
    }
    if (!json_object_object_get_ex(data, "ticket", &ticket)
        || !json_object_object_get_ex(data, "CSRFPreventionToken", &csrf)
        || !json_object_is_type(ticket, json_type_string)
        || !json_object_is_type(csrf, json_type_string)) {
        *ret_reason = myha_str_printf("answer of Proxmox VE API at '%s' to "
                                      "POST /access/ticket has no ticket",
                                      conn->where);
        rc = EPROTO;
        goto out_free;
    }
    conn->cookie =
        myha_str_printf("PVEAuthCookie=%s", json_object_get_string(ticket));
    rc = (conn->cookie == NULL)
             ? ENOMEM
             : add_header(conn, myha_str_printf("CSRFPreventionToken: %s",
                                                json_object_get_string(csrf)));
    if (rc == 0) {
        curl_easy_setopt(conn->curl, CURLOPT_COOKIE, conn->cookie);
    }

out_free:
    json_object_put(data);
    wipe_free(form);
    if (pass != NULL) {
        explicit_bzero(pass, strlen(pass));
    }
    curl_free(pass);
    curl_free(user);
    return rc;
}

/*!
 * \brief Connect to the Proxmox VE API and authenticate
 *
 * A username with '!' (USER@REALM!TOKENID) is an API token whose secret is
 * the password: each request carries "Authorization: PVEAPIToken=…".
 * Otherwise a ticket is requested with username and password, and sent as
 * the PVEAuthCookie cookie with the CSRFPreventionToken header.
 *
 * \param[in]  copts       Where and who
 * \param[out] ret_conn    On success, the connection (free with
 *                         proxmox_conn_free())
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0 or as proxmox_get()
 */
int
proxmox_conn_new(const struct proxmox_conn_opts *copts,
                 struct proxmox_conn **ret_conn, char **ret_reason)
{
    struct proxmox_conn *conn = calloc(1, sizeof(*conn));
    bool ipv6 = (strchr(copts->host, ':') != NULL);
    int rc = ENOMEM;

    if (conn == NULL) {
        return ENOMEM;
    }
    conn->curl = curl_easy_init();
    conn->where = myha_str_printf("%s%s%s:%lld", ipv6 ? "[" : "", copts->host,
                                  ipv6 ? "]" : "", copts->port);
    conn->username = strdup(copts->username);
    if ((conn->curl == NULL) || (conn->where == NULL)
        || (conn->username == NULL)) {
        goto out_free;
    }
    conn->base_url = myha_str_printf("https://%s/api2/json", conn->where);
    if (conn->base_url == NULL) {
        goto out_free;
    }

    curl_easy_setopt(conn->curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(conn->curl, CURLOPT_HTTP_VERSION,
                     (long) CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(conn->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(conn->curl, CURLOPT_ERRORBUFFER, conn->errbuf);
    curl_easy_setopt(conn->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(conn->curl, CURLOPT_WRITEDATA, conn);
    curl_easy_setopt(conn->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(conn->curl, CURLOPT_HEADERDATA, conn);
    curl_easy_setopt(conn->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) copts->connect_timeout_ms);
    curl_easy_setopt(conn->curl, CURLOPT_TIMEOUT_MS, (long) copts->timeout_ms);
    curl_easy_setopt(conn->curl, CURLOPT_SSL_VERIFYPEER,
                     copts->insecure ? 0L : 1L);
    curl_easy_setopt(conn->curl, CURLOPT_SSL_VERIFYHOST,
                     copts->insecure ? 0L : 2L);
    if (copts->ca_file != NULL) {
        curl_easy_setopt(conn->curl, CURLOPT_CAINFO, copts->ca_file);
    }

    if (strchr(copts->username, '!') != NULL) {
        rc =
            add_header(conn, myha_str_printf("Authorization: PVEAPIToken=%s=%s",
                                             copts->username, copts->password));
    } else {
        rc = login_ticket(conn, copts, ret_reason);
    }
    if (rc != 0) {
        goto out_free;
    }
    curl_easy_setopt(conn->curl, CURLOPT_HTTPHEADER, conn->headers);
    *ret_conn = conn;
    return 0;

out_free:
    proxmox_conn_free(conn);
    return rc;
}

/*!
 * \brief Close a connection and wipe its credentials
 *
 * \param[in] conn  Connection (may be NULL)
 */
void
proxmox_conn_free(struct proxmox_conn *conn)
{
    if (conn == NULL) {
        return;
    }
    if (conn->curl != NULL) {
        curl_easy_cleanup(conn->curl);
    }
    wipe_slist(conn->headers);
    wipe_free(conn->cookie);
    wipe_free(conn->body);
    free(conn->status_line);
    free(conn->username);
    free(conn->where);
    free(conn->base_url);
    free(conn);
}
