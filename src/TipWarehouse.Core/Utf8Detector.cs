using System.Buffers;
using System.Text;

namespace TipWarehouse.Core;

/// <summary>
/// The one UTF-8 detector: fed a file block by block (memory does not grow with the file), it says whether the bytes are
/// valid UTF-8, start with a byte order mark and hold any byte outside ASCII: what tells a UTF-8 file from a Windows-1252 one.
/// </summary>
public sealed class Utf8Detector
{
    private static readonly byte[] s_bom = [0xEF, 0xBB, 0xBF];
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
    private long _length;
    private bool _completed;

    /// <summary>True while every byte seen is part of valid UTF-8 (a sequence cut at the end counts only after <see cref="Complete"/>).</summary>
    public bool IsValid { get; private set; } = true;

    /// <summary>True when the first three bytes are the UTF-8 byte order mark.</summary>
    public bool HasBom { get; private set; }

    /// <summary>True when any byte is above 0x7F (pure ASCII reads the same in UTF-8 and Windows-1252).</summary>
    public bool HasNonAscii { get; private set; }

    /// <summary>Checks the whole of <paramref name="bytes"/>.</summary>
    public static Utf8Detector Inspect(ReadOnlySpan<byte> bytes)
    {
        var detector = new Utf8Detector();
        detector.Append(bytes);
        detector.Complete();
        return detector;
    }

    /// <summary>Checks the next block of the file.</summary>
    public void Append(ReadOnlySpan<byte> block)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_length == 0 && block.StartsWith(s_bom))
        {
            HasBom = true;
        }

        _length += block.Length;
        if (!HasNonAscii && block.ContainsAnyExceptInRange((byte)0, (byte)0x7F))
        {
            HasNonAscii = true;
        }

        if (IsValid)
        {
            Decode(block, flush: false);
        }
    }

    /// <summary>Ends the file: a multi-byte sequence left open by the last block makes it invalid.</summary>
    public void Complete()
    {
        if (!_completed && IsValid)
        {
            Decode([], flush: true);
        }

        _completed = true;
    }

    private void Decode(ReadOnlySpan<byte> block, bool flush)
    {
        var chars = ArrayPool<char>.Shared.Rent(block.Length + 4);
        try
        {
            _decoder.GetChars(block, chars, flush);
        }
        catch (DecoderFallbackException)
        {
            IsValid = false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
