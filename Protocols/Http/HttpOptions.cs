namespace Loop.Protocols.Http;

/// <summary>Limits and timeouts of the HTTP/1.1 protocol; one instance may serve every connection.</summary>
public sealed class HttpOptions
{
    /// <summary>Longest request line, without its CRLF; longer is answered 414.</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>Largest header block: the header field lines with their CRLFs (trailers count too); larger is answered 431.</summary>
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Most header fields (with trailer fields) in one request; more is answered 431.</summary>
    public int MaxHeaderCount { get; set; } = 100;

    /// <summary>
    /// Largest request body, decoded. A larger Content-Length is answered 413 before the body is read, and so is a
    /// chunk that would pass it. The body is held in memory until the request is handled.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Time from the first byte of a request to the end of its header block; past it the request is answered 408.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time a connection may stay silent: between requests (then it is closed) or in the middle of a body (then the
    /// request is answered 408).
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The <c>Server</c> header's value; empty sends no <c>Server</c> header.</summary>
    public string ServerName
    {
        get => _serverName;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            ServerHeaderLine = value.Length == 0 ? [] : System.Text.Encoding.ASCII.GetBytes($"Server: {value}\r\n");
            _serverName = value;
        }
    }

    private string _serverName = "Loop";

    /// <summary>Throws for a limit that cannot work, naming the setting.</summary>
    internal void Validate()
    {
        Require(MaxRequestLineBytes >= 16, nameof(MaxRequestLineBytes), "must be at least 16");
        Require(MaxHeaderBytes >= 16, nameof(MaxHeaderBytes), "must be at least 16");
        Require(MaxHeaderCount >= 1, nameof(MaxHeaderCount), "must be at least 1");
        // Bodies are held in one array.
        Require(MaxRequestBodyBytes is >= 0 and <= 1 << 30, nameof(MaxRequestBodyBytes), "must be 0 to 1 GiB");
        Require(RequestHeadersTimeout > TimeSpan.Zero, nameof(RequestHeadersTimeout), "must be positive");
        Require(IdleTimeout > TimeSpan.Zero, nameof(IdleTimeout), "must be positive");
    }

    private static void Require(bool ok, string setting, string rule)
    {
        if (!ok) { throw new ArgumentException($"HttpOptions.{setting} {rule}.", setting); }
    }

    /// <summary>The whole <c>Server</c> header line, encoded once.</summary>
    internal byte[] ServerHeaderLine { get; private set; } = "Server: Loop\r\n"u8.ToArray();
}
