using System.Runtime.InteropServices;

namespace Loop.Internal.Files;

/// <summary>The exception a failed file operation throws: what failed, on which path, and the errno's text.</summary>
internal static class FileError
{
    public static IOException Create(string operation, string path, int errno) =>
        new($"{operation} {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
