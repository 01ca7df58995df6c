<?xml version="1.0"?>
<!--
  OCF meta-data to a section 7 man page (troff).  The man page of an agent
  is generated from its own meta-data, so it never disagrees with it.
  Parameter: package (e.g. "myha 0.1.0"), provider (e.g. "myha").
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:param name="package" select="'myha'"/>
  <xsl:param name="provider" select="'myha'"/>
  <xsl:param name="date" select="''"/>

  <!-- Escape troff: backslashes, and lines starting with . or ' -->
  <xsl:template name="esc">
    <xsl:param name="text"/>
    <xsl:variable name="bs">
      <xsl:call-template name="replace">
        <xsl:with-param name="text" select="normalize-space($text)"/>
        <xsl:with-param name="from" select="'\'"/>
        <xsl:with-param name="to" select="'\e'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="dash">
      <xsl:call-template name="replace">
        <xsl:with-param name="text" select="$bs"/>
        <xsl:with-param name="from" select="'-'"/>
        <xsl:with-param name="to" select="'\-'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="starts-with($dash, '.') or starts-with($dash, &quot;'&quot;)">
      <xsl:text>\&amp;</xsl:text>
    </xsl:if>
    <xsl:value-of select="$dash"/>
  </xsl:template>

  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="substring-before($text, $from)"/>
        <xsl:value-of select="$to"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/resource-agent">
    <xsl:variable name="name" select="@name"/>
    <xsl:text>.TH "OCF_</xsl:text>
    <xsl:value-of select="translate($provider, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
    <xsl:text>_</xsl:text>
    <xsl:value-of select="translate($name, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
    <xsl:text>" "7" "</xsl:text><xsl:value-of select="$date"/>
    <xsl:text>" "</xsl:text><xsl:value-of select="$package"/>
    <xsl:text>" "OCF resource agents"&#10;</xsl:text>
    <xsl:text>.SH NAME&#10;ocf_</xsl:text><xsl:value-of select="$provider"/>
    <xsl:text>_</xsl:text><xsl:value-of select="$name"/><xsl:text> \- </xsl:text>
    <xsl:call-template name="esc"><xsl:with-param name="text" select="shortdesc"/></xsl:call-template>
    <xsl:text>&#10;.SH SYNOPSIS&#10;.B pcs resource create&#10;.I resource&#10;.B ocf:</xsl:text>
    <xsl:value-of select="$provider"/><xsl:text>:</xsl:text><xsl:value-of select="$name"/>
    <xsl:text>&#10;.RI [ parameter = value ...]&#10;</xsl:text>
    <xsl:text>.SH DESCRIPTION&#10;</xsl:text>
    <xsl:call-template name="esc"><xsl:with-param name="text" select="longdesc"/></xsl:call-template>
    <xsl:text>&#10;.SH PARAMETERS&#10;</xsl:text>
    <xsl:for-each select="parameters/parameter">
      <xsl:text>.TP&#10;.B </xsl:text><xsl:value-of select="@name"/>
      <xsl:if test="@required = '1'"><xsl:text> (required)</xsl:text></xsl:if>
      <xsl:if test="@reloadable = '1'"><xsl:text> (reloadable)</xsl:text></xsl:if>
      <xsl:text>&#10;</xsl:text>
      <xsl:call-template name="esc"><xsl:with-param name="text" select="longdesc"/></xsl:call-template>
      <xsl:text>&#10;.br&#10;Type: </xsl:text><xsl:value-of select="content/@type"/>
      <xsl:if test="content/option">
        <xsl:text> (</xsl:text>
        <xsl:for-each select="content/option">
          <xsl:if test="position() > 1"><xsl:text>, </xsl:text></xsl:if>
          <xsl:value-of select="@value"/>
        </xsl:for-each>
        <xsl:text>)</xsl:text>
      </xsl:if>
      <xsl:if test="content/@default">
        <xsl:text>; default: </xsl:text>
        <xsl:call-template name="esc"><xsl:with-param name="text" select="content/@default"/></xsl:call-template>
      </xsl:if>
      <xsl:if test="@unique-group">
        <xsl:text>; unique across instances (group </xsl:text><xsl:value-of select="@unique-group"/><xsl:text>)</xsl:text>
      </xsl:if>
      <xsl:text>&#10;</xsl:text>
    </xsl:for-each>
    <xsl:text>.SH ACTIONS&#10;</xsl:text>
    <xsl:for-each select="actions/action">
      <xsl:text>.TP&#10;.B </xsl:text><xsl:value-of select="@name"/>
      <xsl:text>&#10;timeout </xsl:text><xsl:value-of select="@timeout"/>
      <xsl:if test="@interval"><xsl:text>, interval </xsl:text><xsl:value-of select="@interval"/></xsl:if>
      <xsl:if test="@role"><xsl:text>, role </xsl:text><xsl:value-of select="@role"/></xsl:if>
      <xsl:if test="@depth"><xsl:text>, depth </xsl:text><xsl:value-of select="@depth"/></xsl:if>
      <xsl:text>&#10;</xsl:text>
    </xsl:for-each>
    <xsl:text>.SH SEE ALSO&#10;.BR crm_resource (8),&#10;.BR pcs (8),&#10;.BR crm_mon (8)&#10;</xsl:text>
  </xsl:template>
</xsl:stylesheet>
