/*
 * Result codes of libmyha: 0, a positive errno, or one of ours (negative,
 * Pacemaker's convention for library-specific codes).
 */
#ifndef MYHA_RC__H
#define MYHA_RC__H

/*!
 * \brief libmyha's own result codes
 *
 * Functions return 0 on success, a positive errno value for a system error,
 * or one of these.  myha_rc_str() describes any of them.
 */
enum myha_rc_e {
    myha_rc_ok = 0,
    myha_rc_error = -1001,          //!< Unspecified error
    myha_rc_invalid = -1002,        //!< Value malformed or inherently invalid
    myha_rc_local_config = -1003,   //!< Valid value, wrong on this node
    myha_rc_not_installed = -1004,  //!< A needed program or file is missing
    myha_rc_parse = -1005,          //!< Input could not be parsed
    myha_rc_db_connect = -1006,     //!< Could not connect to the server
    myha_rc_db_auth = -1007,        //!< Server refused the credentials
    myha_rc_db_query = -1008,       //!< Server rejected a statement
    myha_rc_db_unsupported = -1009, //!< Server flavour or version unsupported
    myha_rc_not_running = -1010,    //!< Service is not running
    myha_rc_unimplemented = -1011,  //!< Action or feature not implemented
    myha_rc_child_failed = -1012,   //!< A child process exited unsuccessfully
};

const char *myha_rc_str(int rc);

#endif // MYHA_RC__H
