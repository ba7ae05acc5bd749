namespace Loop.Samples.Redis.Store;

/// <summary>A geohash cell: <see cref="Step"/> bits of longitude and of latitude, interleaved (longitude in the odd bits).</summary>
internal readonly record struct GeoHashBits(ulong Bits, int Step)
{
    /// <summary>A neighbour struck off the search (Redis's GZERO).</summary>
    public bool IsZero => Bits == 0 && Step == 0;

    /// <summary>The cell's first 52-bit score: its bits moved to the top of the 52 (Redis's geohashAlign52Bits).</summary>
    public ulong Align52() => Bits << (52 - Step * 2);
}

/// <summary>A cell's extent in degrees.</summary>
internal readonly record struct GeoArea(double LongitudeMin, double LongitudeMax, double LatitudeMin, double LatitudeMax);

/// <summary>
/// Redis's geohash (geohash.c): a position is its cell at 26 steps in the Web Mercator square (longitude -180..180,
/// latitude ±85.05112878), 52 interleaved bits kept as a sorted set score, and read back as the cell's centre. Every
/// step is computed as Redis computes it, in the same order of floating point operations, so scores, decoded
/// coordinates and cell boundaries are Redis's to the bit.
/// </summary>
internal static class GeoHash
{
    public const double LongitudeMin = -180, LongitudeMax = 180;
    public const double LatitudeMin = -85.05112878, LatitudeMax = 85.05112878;

    /// <summary>Bits per coordinate in a stored score.</summary>
    public const int StepMax = 26;

    private const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>True when Redis accepts the pair (GEOADD, FROMLONLAT): inside the Mercator square.</summary>
    public static bool IsValid(double longitude, double latitude) =>
        !(longitude < LongitudeMin || longitude > LongitudeMax || latitude < LatitudeMin || latitude > LatitudeMax);

    /// <summary>The sorted set score of a valid position (GEOADD's).</summary>
    public static ulong Score(double longitude, double latitude) => Encode(longitude, latitude, StepMax).Align52();

    /// <summary>
    /// A position's cell at <paramref name="step"/> bits per coordinate in Redis's ranges (valid positions only). A
    /// coordinate on the upper edge lands one past the last cell, as in Redis (180 and 85.05112878 set bit 52 or 53).
    /// </summary>
    public static GeoHashBits Encode(double longitude, double latitude, int step) =>
        Encode(LongitudeMin, LongitudeMax, LatitudeMin, LatitudeMax, longitude, latitude, step);

    /// <summary>The cell of a score, read as Redis reads one (a C cast of the double to 64 bits).</summary>
    public static GeoHashBits FromScore(double score) => new(ToUInt64(score), StepMax);

    /// <summary>The position a score stands for: the centre of its cell, kept inside the Mercator square.</summary>
    public static (double Longitude, double Latitude) Decode(double score)
    {
        var area = DecodeArea(FromScore(score));
        var longitude = Math.Clamp((area.LongitudeMin + area.LongitudeMax) / 2, LongitudeMin, LongitudeMax);
        var latitude = Math.Clamp((area.LatitudeMin + area.LatitudeMax) / 2, LatitudeMin, LatitudeMax);
        return (longitude, latitude);
    }

    /// <summary>The extent of a cell in Redis's ranges.</summary>
    public static GeoArea DecodeArea(GeoHashBits hash)
    {
        var separated = Deinterleave(hash.Bits);
        var latitudeCell = (uint)separated;
        var longitudeCell = (uint)(separated >> 32);
        double cells = 1UL << hash.Step;
        const double latitudeScale = LatitudeMax - LatitudeMin;
        const double longitudeScale = LongitudeMax - LongitudeMin;
        return new GeoArea(
            LongitudeMin + longitudeCell * 1.0 / cells * longitudeScale,
            LongitudeMin + (uint)(longitudeCell + 1) * 1.0 / cells * longitudeScale,
            LatitudeMin + latitudeCell * 1.0 / cells * latitudeScale,
            LatitudeMin + (uint)(latitudeCell + 1) * 1.0 / cells * latitudeScale);
    }

    /// <summary>
    /// GEOHASH's 11 characters for a score: the decoded position encoded again in the standard geohash ranges
    /// (latitude ±90), 52 bits as ten base-32 characters and a last one that is always '0'.
    /// </summary>
    public static void Text(double score, Span<byte> destination)
    {
        var (longitude, latitude) = Decode(score);
        var bits = Encode(-180, 180, -90, 90, longitude, latitude, StepMax).Bits;
        for (var i = 0; i < 10; i++) { destination[i] = (byte)Alphabet[(int)((bits >> (52 - (i + 1) * 5)) & 0x1f)]; }
        destination[10] = (byte)'0';
    }

    /// <summary>The eight cells around <paramref name="hash"/>, wrapping at the edges of the square (north, south, east, west, NE, NW, SE, SW).</summary>
    public static GeoHashBits[] Neighbours(GeoHashBits hash) =>
    [
        Move(hash, 0, 1), Move(hash, 0, -1), Move(hash, 1, 0), Move(hash, -1, 0),
        Move(hash, 1, 1), Move(hash, -1, 1), Move(hash, 1, -1), Move(hash, -1, -1),
    ];

    private static GeoHashBits Encode(double longitudeMin, double longitudeMax, double latitudeMin, double latitudeMax,
        double longitude, double latitude, int step)
    {
        var latitudeOffset = (latitude - latitudeMin) / (latitudeMax - latitudeMin);
        var longitudeOffset = (longitude - longitudeMin) / (longitudeMax - longitudeMin);
        latitudeOffset *= 1UL << step;
        longitudeOffset *= 1UL << step;
        return new GeoHashBits(Interleave((uint)latitudeOffset, (uint)longitudeOffset), step);
    }

    // geohash_move_x and geohash_move_y: adds ±1 to the longitude (odd) or latitude (even) bits alone, carrying
    // through the other coordinate's bits, and wraps within the step.
    private static GeoHashBits Move(GeoHashBits hash, int dx, int dy)
    {
        var bits = hash.Bits;
        if (dx != 0) { bits = MoveBits(bits, hash.Step, dx, 0xaaaaaaaaaaaaaaaaUL, 0x5555555555555555UL); }
        if (dy != 0) { bits = MoveBits(bits, hash.Step, dy, 0x5555555555555555UL, 0xaaaaaaaaaaaaaaaaUL); }
        return hash with { Bits = bits };
    }

    private static ulong MoveBits(ulong bits, int step, int direction, ulong mine, ulong others)
    {
        var moved = bits & mine;
        var kept = bits & others;
        var fill = others >> (64 - step * 2);
        moved = direction > 0 ? moved + (fill + 1) : (moved | fill) - (fill + 1);
        moved &= mine >> (64 - step * 2);
        return moved | kept;
    }

    // Bit twiddling from "Bit Twiddling Hacks" (interleave by binary magic numbers): x to the even bits, y to the odd.
    private static ulong Interleave(uint xlo, uint ylo)
    {
        ulong x = xlo, y = ylo;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFUL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFUL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x << 2)) & 0x3333333333333333UL;
        y = (y | (y << 2)) & 0x3333333333333333UL;
        x = (x | (x << 1)) & 0x5555555555555555UL;
        y = (y | (y << 1)) & 0x5555555555555555UL;
        return x | (y << 1);
    }

    // The inverse: even bits to the low half (latitude), odd bits to the high half (longitude).
    private static ulong Deinterleave(ulong interleaved)
    {
        var x = interleaved;
        var y = interleaved >> 1;
        x &= 0x5555555555555555UL;
        y &= 0x5555555555555555UL;
        x = (x | (x >> 1)) & 0x3333333333333333UL;
        y = (y | (y >> 1)) & 0x3333333333333333UL;
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        y = (y | (y >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FFUL;
        y = (y | (y >> 4)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFFUL;
        y = (y | (y >> 8)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x >> 16)) & 0x00000000FFFFFFFFUL;
        y = (y | (y >> 16)) & 0x00000000FFFFFFFFUL;
        return x | (y << 32);
    }

    // C's (uint64_t) cast of a double as x86-64 compilers emit it: a score set by ZADD may be anything, and Redis
    // decodes whatever bits that cast gives (negative scores wrap, out-of-range ones give the "indefinite" value).
    private static ulong ToUInt64(double value)
    {
        const double TwoTo63 = 9223372036854775808.0;
        if (value < TwoTo63) { return value >= -TwoTo63 ? (ulong)(long)value : 0x8000000000000000UL; }
        var high = value - TwoTo63;
        return (high < TwoTo63 ? (ulong)(long)high : 0x8000000000000000UL) ^ 0x8000000000000000UL;
    }
}
