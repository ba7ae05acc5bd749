namespace Loop.Samples.Redis.Store;

/// <summary>
/// What a geo search covers: a circle (BYRADIUS, GEORADIUS) or a box (BYBOX) around a centre, its sizes in the unit
/// the command named and <see cref="Conversion"/> metres per unit. Redis's geohash_helper.c, operation for operation:
/// which cells to search (<see cref="Cells"/>) and whether a decoded position is inside (<see cref="TryContain"/>).
/// </summary>
internal readonly record struct GeoShape(double Longitude, double Latitude, bool IsBox, double Radius, double Width, double Height, double Conversion)
{
    /// <summary>The mean radius Redis uses for WGS-84.</summary>
    public const double EarthRadiusInMeters = 6372797.560856;

    private const double MercatorMax = 20037726.37;
    private const double DegreesToRadians = Math.PI / 180.0;

    public static GeoShape Circle(double longitude, double latitude, double radius, double conversion) =>
        new(longitude, latitude, false, radius, 0, 0, conversion);

    public static GeoShape Box(double longitude, double latitude, double width, double height, double conversion) =>
        new(longitude, latitude, true, 0, width, height, conversion);

    /// <summary>The great-circle distance in metres (haversine), or the latitude difference alone on one meridian.</summary>
    public static double Distance(double longitude1, double latitude1, double longitude2, double latitude2)
    {
        var v = Math.Sin((longitude2 * DegreesToRadians - longitude1 * DegreesToRadians) / 2);
        if (v == 0.0) { return LatitudeDistance(latitude1, latitude2); }
        var latitude1Radians = latitude1 * DegreesToRadians;
        var latitude2Radians = latitude2 * DegreesToRadians;
        var u = Math.Sin((latitude2Radians - latitude1Radians) / 2);
        var a = u * u + Math.Cos(latitude1Radians) * Math.Cos(latitude2Radians) * v * v;
        return 2.0 * EarthRadiusInMeters * Math.Asin(Math.Sqrt(a));
    }

    /// <summary>
    /// True, with its distance from the centre in metres, when the position lies inside: within the radius, or no
    /// farther north or south than half the height and no farther east or west, along its own parallel, than half the width.
    /// </summary>
    public bool TryContain(double longitude, double latitude, out double distance)
    {
        if (!IsBox)
        {
            distance = Distance(Longitude, Latitude, longitude, latitude);
            return distance <= Radius * Conversion;
        }
        distance = 0;
        if (LatitudeDistance(latitude, Latitude) > Height * Conversion / 2) { return false; }
        if (Distance(longitude, latitude, Longitude, latitude) > Width * Conversion / 2) { return false; }
        distance = Distance(Longitude, Latitude, longitude, latitude);
        return true;
    }

    /// <summary>
    /// The cells to search, in Redis's order: the centre's cell, then north, south, east, west, north-east, north-west,
    /// south-east and south-west, at a step whose cells are about as large as the shape, one step coarser when a
    /// neighbour does not reach the shape's bounding box; neighbours wholly outside the box are struck off (zero).
    /// </summary>
    public GeoHashBits[] Cells()
    {
        var (minLongitude, minLatitude, maxLongitude, maxLatitude) = BoundingBox();
        var radiusMeters = (IsBox ? Math.Sqrt(Width / 2 * (Width / 2) + Height / 2 * (Height / 2)) : Radius) * Conversion;
        var steps = EstimateSteps(radiusMeters, Latitude);
        var hash = GeoHash.Encode(Longitude, Latitude, steps);
        var neighbours = GeoHash.Neighbours(hash);
        if (steps > 1 && NeedsCoarserStep(neighbours, minLongitude, minLatitude, maxLongitude, maxLatitude))
        {
            steps--;
            hash = GeoHash.Encode(Longitude, Latitude, steps);
            neighbours = GeoHash.Neighbours(hash);
        }
        var area = GeoHash.DecodeArea(hash);
        if (steps >= 2)
        {
            if (area.LatitudeMin < minLatitude) { Strike(neighbours, South, SouthWest, SouthEast); }
            if (area.LatitudeMax > maxLatitude) { Strike(neighbours, North, NorthEast, NorthWest); }
            if (area.LongitudeMin < minLongitude) { Strike(neighbours, West, SouthWest, NorthWest); }
            if (area.LongitudeMax > maxLongitude) { Strike(neighbours, East, SouthEast, NorthEast); }
        }
        return [hash, .. neighbours];
    }

    // Indexes into GeoHash.Neighbours.
    private const int North = 0, South = 1, East = 2, West = 3, NorthEast = 4, NorthWest = 5, SouthEast = 6, SouthWest = 7;

    private static void Strike(GeoHashBits[] neighbours, int a, int b, int c) => neighbours[a] = neighbours[b] = neighbours[c] = default;

    // The estimated step is too fine when a neighbouring cell ends before the bounding box does.
    private static bool NeedsCoarserStep(GeoHashBits[] neighbours, double minLongitude, double minLatitude, double maxLongitude, double maxLatitude) =>
        GeoHash.DecodeArea(neighbours[North]).LatitudeMax < maxLatitude
        || GeoHash.DecodeArea(neighbours[South]).LatitudeMin > minLatitude
        || GeoHash.DecodeArea(neighbours[East]).LongitudeMax < maxLongitude
        || GeoHash.DecodeArea(neighbours[West]).LongitudeMin > minLongitude;

    // Steps whose cells are about the size of the range: the cell halves with each step from the whole Mercator width,
    // two steps coarser to be safe, and coarser again towards the poles, where meridians converge.
    private static int EstimateSteps(double rangeMeters, double latitude)
    {
        if (rangeMeters == 0) { return 26; }
        var step = 1;
        while (rangeMeters < MercatorMax)
        {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (latitude > 66 || latitude < -66)
        {
            step--;
            if (latitude > 80 || latitude < -80) { step--; }
        }
        return Math.Clamp(step, 1, 26);
    }

    // The degrees the shape spans: its height north and south, its width east and west along the parallel where it is
    // widest in degrees (the edge nearer the pole).
    private (double MinLongitude, double MinLatitude, double MaxLongitude, double MaxLatitude) BoundingBox()
    {
        var height = Conversion * (IsBox ? Height / 2 : Radius);
        var width = Conversion * (IsBox ? Width / 2 : Radius);
        var latitudeDelta = height / EarthRadiusInMeters / DegreesToRadians;
        var longitudeDeltaTop = width / EarthRadiusInMeters / Math.Cos((Latitude + latitudeDelta) * DegreesToRadians) / DegreesToRadians;
        var longitudeDeltaBottom = width / EarthRadiusInMeters / Math.Cos((Latitude - latitudeDelta) * DegreesToRadians) / DegreesToRadians;
        var longitudeDelta = Latitude < 0 ? longitudeDeltaBottom : longitudeDeltaTop;
        return (Longitude - longitudeDelta, Latitude - latitudeDelta, Longitude + longitudeDelta, Latitude + latitudeDelta);
    }

    private static double LatitudeDistance(double latitude1, double latitude2) =>
        EarthRadiusInMeters * Math.Abs(latitude2 * DegreesToRadians - latitude1 * DegreesToRadians);
}
